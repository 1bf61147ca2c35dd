// memcloud node start: the node in the background (`node run` detached, logging to <home>/node.log).
// Everything `node run` would refuse is refused here first, before anything is spawned; then the new
// node itself reports ready or its own startup error over an IPC channel (startup-report.ts).

import { spawn } from 'node:child_process';
import { ErrorCodes, MemCloudError } from '../../errors';
import { homePaths } from '../../home/paths';
import { requireBundledFile } from '../../runtime/bundle-path';
import { nodeProcessFlags } from '../../runtime/node-flags';
import { tryClient } from '../client';
import { UsageError, type Command, type CommandContext } from '../command';
import { logLinesSince, logSize } from '../log-file';
import { describeStatus } from './node-status';
import { nodeOptions, nodeStartupOptions } from './node-options';
import { awaitStartup } from './startup-report';
import { readOrCreateRecord } from '../../identity/identity-file';
import { startSecret } from '../secret-input';

/** The node's descriptor for a passphrase or PIN: after stdin, stdout, stderr and the IPC channel. */
const SECRET_FD = 4;

const START_TIMEOUT_MS = 20_000;

/** The node flags given on this command line, to pass on to `node run`. */
function passThrough(ctx: CommandContext): string[] {
  return Object.entries(ctx.values).flatMap(([name, v]) => {
    if (!(name in nodeOptions) || name === 'passphrase-fd' || v === undefined || v === false) return [];
    if (v === true) return [`--${name}`];
    return (Array.isArray(v) ? v : [v]).flatMap((x) => [`--${name}`, x]);
  });
}

export const nodeStartCommand: Command = {
  path: ['node', 'start'],
  summary: 'Start a node in the background (log: <home>/node.log, pid: <home>/node.pid).',
  options: nodeOptions,
  async run(ctx) {
    await nodeStartupOptions(ctx);
    const running = await tryClient(ctx);
    if (running) {
      const s = await running.status().finally(() => running.close());
      throw new MemCloudError(ErrorCodes.NODE_ALREADY_RUNNING, `a node is already running for ${ctx.home} (pid ${s.pid})`);
    }
    // The node asks for nothing: a passphrase or PIN is asked here and goes to it on a pipe.
    const secret = await startSecret(ctx, await readOrCreateRecord(ctx.home));
    const logFile = homePaths(ctx.home).nodeLog;
    const logStart = await logSize(logFile);
    const secretArgs = secret ? ['--passphrase-fd', String(SECRET_FD)] : [];
    const child = spawn(process.execPath, [...nodeProcessFlags(), requireBundledFile('cli.js'), 'node', 'run', ...passThrough(ctx), ...secretArgs, '--home', ctx.home, '--log-file', logFile], {
      detached: true,
      stdio: ['ignore', 'ignore', 'ignore', 'ipc', secret ? 'pipe' : 'ignore'],
      env: ctx.env,
    });
    if (secret) {
      const pipe = child.stdio[SECRET_FD] as NodeJS.WritableStream;
      pipe.on('error', () => undefined); // a child that died early reports or exits: that says why
      pipe.end(Buffer.from(secret.buffer, secret.byteOffset, secret.byteLength), () => secret.fill(0));
    }
    const outcome = await awaitStartup(child, START_TIMEOUT_MS);
    if (child.connected) child.disconnect();
    child.unref();
    switch (outcome.kind) {
      case 'ready': {
        const client = await tryClient(ctx);
        if (!client) throw new MemCloudError(ErrorCodes.NODE_NOT_RUNNING, `the node started but stopped again; see ${logFile}`);
        try {
          await describeStatus(ctx, client);
        } finally {
          await client.close();
        }
        return;
      }
      case 'failed':
        if (outcome.usage) throw new UsageError(outcome.error.message);
        throw new MemCloudError(outcome.error.code, `the node could not start: ${outcome.error.message}`);
      case 'exited':
      case 'timeout': {
        // No report: show only what this node wrote to the log, never an earlier run's lines.
        const lines = await logLinesSince(logFile, logStart);
        const what = outcome.kind === 'timeout' ? `did not report ready within ${START_TIMEOUT_MS / 1000} s` : `exited (${outcome.signal ?? `code ${outcome.code}`}) before it was ready`;
        throw new MemCloudError(ErrorCodes.INTERNAL, `the node ${what}; ${lines.length ? `it logged:\n${lines.join('\n')}` : `it logged nothing (see ${logFile})`}`);
      }
    }
  },
};
