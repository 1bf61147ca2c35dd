// Options shared by the data commands, parsed once.

import type { ReplicaInfo, StoreOptions } from '../../api/types';
import { checkArgument } from '../../api/arguments';
import { MAX_REPLICAS, storeOptions as storeOptionsSchema } from '../../api/schemas';
import { parseSize } from '../../store/sizes';
import { UsageError, stringOpt, type CommandContext, type OptionSpec } from '../command';
import { holderLabel } from '../format';

export const storeOptionSpecs: Readonly<Record<string, OptionSpec>> = {
  cache: { type: 'boolean', description: 'evictable: the holder may drop it when short of memory (default: pinned)' },
  replicas: { type: 'string', value: 'N', description: 'copies on distinct peers (default 2 with two or more peers)' },
  local: { type: 'boolean', description: "keep it in this node's RAM, not on peers" },
  remote: { type: 'boolean', description: 'only on peers; fail when none can take it' },
};

export function storeOptions(ctx: CommandContext, name?: string): StoreOptions {
  if (ctx.values.local && ctx.values.remote) throw new UsageError('--local and --remote exclude each other');
  const replicasText = stringOpt(ctx, 'replicas');
  let replicas: number | undefined;
  if (replicasText !== undefined) {
    replicas = Number(replicasText);
    if (!/^\d+$/.test(replicasText) || replicas < 1 || replicas > MAX_REPLICAS) throw new UsageError(`--replicas must be an integer from 1 to ${MAX_REPLICAS}`);
    if (ctx.values.local) throw new UsageError('--replicas counts copies on peers; --local keeps one copy on this node');
  }
  return checkArgument(storeOptionsSchema, {
    durability: ctx.values.cache ? 'cache' : 'pinned',
    ...(replicas !== undefined ? { replicas } : {}),
    target: ctx.values.local ? 'local' : ctx.values.remote ? 'remote' : 'auto',
    ...(name !== undefined ? { name } : {}),
  }, 'options');
}

/**
 * `--replicas N` with fewer peers able to take a copy: the data is stored (with the copies that
 * could be made; the node adds the others when more peers connect), and we say so on stderr.
 */
export function warnIfFewerCopies(ctx: CommandContext, opts: StoreOptions, replicas: readonly ReplicaInfo[]): void {
  if (opts.replicas === undefined || replicas.length >= opts.replicas) return;
  const where = replicas.map(holderLabel).join(', ');
  ctx.err.write(
    `memcloud: warning: asked for ${opts.replicas} copies, stored ${replicas.length} (${where}); ` +
      'the node makes the missing copies when more peers can take them\n',
  );
}

export function sizeOption(ctx: CommandContext, name: string): number | undefined {
  const v = stringOpt(ctx, name);
  if (v === undefined) return undefined;
  try {
    return parseSize(v);
  } catch (err) {
    throw new UsageError(`--${name}: ${(err as Error).message}`);
  }
}

export async function readStdin(ctx: CommandContext, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.stdin) {
    const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += b.length;
    if (size > limit) throw new UsageError(`standard input is larger than ${limit} bytes; use \`memcloud push -\` for large data`);
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}
