// Starts test/support/hostile-peer.ts as its own process and follows the events it prints.

import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export interface HostilePeerOptions {
  readonly port: number;
  /** Its home (identity_key); create it first with `memcloud id` to learn its key. */
  readonly home: string;
  readonly name: string;
  readonly errorText?: string;
}

export interface HostilePeerProcess {
  readonly process: ChildProcess;
  /** Resolves with the first event of this kind (a JSON line), rejects when it exits first or after `timeoutMs`. */
  next(event: 'refused' | 'admitted' | 'closed' | 'request', timeoutMs?: number): Promise<Record<string, unknown>>;
  /** Resolves with whichever of these events comes first. */
  outcome(events: readonly string[], timeoutMs?: number): Promise<string>;
  stop(): Promise<void>;
}

const SCRIPT = join(import.meta.dirname, 'hostile-peer.ts');
const ROOT = join(import.meta.dirname, '..', '..');

export function startHostilePeer(opts: HostilePeerOptions): HostilePeerProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT, JSON.stringify(opts)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const events: Array<Record<string, unknown>> = [];
  let output = '';
  let buffered = '';
  const waiters: Array<() => void> = [];
  child.stdout!.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      try {
        events.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        output += `${line}\n`;
      }
    }
    for (const w of waiters.splice(0)) w();
  });
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => {
    for (const w of waiters.splice(0)) w();
  });

  const outcome = (wanted: readonly string[], timeoutMs = 60_000) =>
    new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`hostile peer: none of ${wanted.join(', ')} within ${timeoutMs} ms; events ${JSON.stringify(events)}\n${output}`)), timeoutMs);
      const check = () => {
        const hit = events.find((e) => wanted.includes(String(e.event)));
        if (hit) {
          clearTimeout(timer);
          resolve(String(hit.event));
        } else if (child.exitCode !== null || child.signalCode !== null) {
          clearTimeout(timer);
          reject(new Error(`hostile peer exited (${child.exitCode ?? child.signalCode}) before ${wanted.join(', ')}; events ${JSON.stringify(events)}\n${output}`));
        } else waiters.push(check);
      };
      check();
    });
  return {
    process: child,
    outcome,
    async next(event, timeoutMs) {
      await outcome([event], timeoutMs);
      return events.find((e) => e.event === event)!;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
