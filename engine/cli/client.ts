// Attaching CLI commands to the running node through its control socket.

import { ErrorCodes, MemCloudError, isMemCloudError } from '../errors';
import { MemCloud } from '../sdk/client';
import type { CommandContext } from './command';

export async function withClient<T>(ctx: CommandContext, fn: (client: MemCloud) => Promise<T>): Promise<T> {
  let client: MemCloud;
  try {
    client = await MemCloud.connect({ home: ctx.home });
  } catch (err) {
    if (isMemCloudError(err, 'NODE_NOT_RUNNING')) {
      throw new MemCloudError(ErrorCodes.NODE_NOT_RUNNING, `no MemCloud node is running for ${ctx.home}; start one with \`memcloud node start\``);
    }
    throw err;
  }
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}

/** Connects if a node runs for this home; undefined otherwise. */
export async function tryClient(ctx: CommandContext): Promise<MemCloud | undefined> {
  try {
    return await MemCloud.connect({ home: ctx.home, connectTimeoutMs: 2000 });
  } catch (err) {
    if (isMemCloudError(err, 'NODE_NOT_RUNNING')) return undefined;
    throw err;
  }
}
