// How a background node tells `memcloud node start` that it is ready, or why it could not start:
// one message over the IPC channel `node start` opens to it, then the channel is closed. So start
// reports this node's own error, never a line an earlier run left in the log.

import type { ChildProcess } from 'node:child_process';
import { ErrorCodes, MemCloudError, fromErrorPayload, toErrorPayload, type ErrorPayload } from '../../errors';
import { UsageError } from '../command';

type StartupMessage = { readonly memcloudStartup: 'ready' } | { readonly memcloudStartup: 'failed'; readonly error: ErrorPayload; readonly usage: boolean };

/** In `node run`: report to the parent, when there is one listening (started by `node start`). */
export function reportStartup(outcome: { readonly ready: true } | { readonly failed: unknown }): void {
  if (typeof process.send !== 'function' || !process.connected) return;
  let message: StartupMessage;
  if ('ready' in outcome) message = { memcloudStartup: 'ready' };
  else {
    const usage = outcome.failed instanceof UsageError;
    const error = usage ? { code: ErrorCodes.BAD_ARGUMENT, message: (outcome.failed as Error).message } : toErrorPayload(outcome.failed);
    message = { memcloudStartup: 'failed', error, usage };
  }
  try {
    // Disconnecting lets the node outlive the parent; an undelivered report is not an error.
    process.send(message, undefined, undefined, () => process.connected && process.disconnect());
  } catch {
    // The parent went away first.
  }
}

export type StartupOutcome =
  | { readonly kind: 'ready' }
  | { readonly kind: 'failed'; readonly error: MemCloudError; readonly usage: boolean }
  | { readonly kind: 'exited'; readonly code: number | null; readonly signal: NodeJS.Signals | null }
  | { readonly kind: 'timeout' };

/** In `node start`: the first of the child's report, its exit, or the deadline. */
export function awaitStartup(child: ChildProcess, timeoutMs: number): Promise<StartupOutcome> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (outcome: StartupOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(outcome);
    };
    const onMessage = (raw: unknown): void => {
      const m = raw as Partial<Record<string, unknown>> | null;
      if (m?.memcloudStartup === 'ready') done({ kind: 'ready' });
      else if (m?.memcloudStartup === 'failed') done({ kind: 'failed', error: fromErrorPayload(m.error), usage: m.usage === true });
    };
    // A report may still be in the channel when 'exit' fires: it is read by the time 'disconnect' does.
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
      if (!child.connected) return done({ kind: 'exited', code, signal });
      child.once('disconnect', () => setImmediate(() => done({ kind: 'exited', code, signal })));
    };
    const timer = setTimeout(() => done({ kind: 'timeout' }), timeoutMs);
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}
