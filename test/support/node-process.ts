// Real memcloud processes: each node is `node <nodeProcessFlags()> dist/cli.js node run`, as
// `memcloud node start` launches it, in its own temporary home, talking over TCP on 127.0.0.1. The
// process harness of the tests, the demo, the benchmarks and the fuzz.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { bundledFile } from '../../engine/runtime/bundle-path';
import { nodeProcessFlags } from '../../engine/runtime/node-flags';

export const CLI = bundledFile('cli.js');

export function cli(home: string, args: readonly string[]): string {
  const r = spawnSync(process.execPath, [CLI, ...args, '--home', home], { encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`memcloud ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

export interface RunningNode {
  readonly name: string;
  readonly home: string;
  readonly port: number;
  readonly fingerprint: string;
  readonly process: ChildProcess;
  /** Resolves with the first log line matching `pattern`, rejects after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Every log line the node printed so far (stdout and stderr), for a failing test to show. */
  log(): readonly string[];
  stop(): Promise<void>;
}

/** How to launch the node process: extra Node.js flags (e.g. --jitless) and environment variables. */
export interface NodeLaunch {
  readonly execArgv?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  /** The identity key's passphrase or token PIN, written to the node's descriptor 3 (--passphrase-fd 3). */
  readonly passphrase?: string;
}

export function startNode(name: string, home: string, extra: readonly string[] = [], launch: NodeLaunch = {}): Promise<RunningNode> {
  // Extra node flags for profiling (NODE_OPTIONS refuses --cpu-prof), e.g. "--cpu-prof --cpu-prof-dir=/tmp/p".
  const execArgs = [...nodeProcessFlags(), ...(process.env.MEMCLOUD_NODE_EXEC_ARGS ?? '').split(' ').filter(Boolean), ...(launch.execArgv ?? [])];
  const secretFd = launch.passphrase === undefined ? [] : ['--passphrase-fd', '3'];
  const child = spawn(
    process.execPath,
    [...execArgs, CLI, 'node', 'run', '--home', home, '--name', name, '--host', '127.0.0.1', '--port', '0', '--no-discovery', ...secretFd, ...extra],
    { stdio: ['ignore', 'pipe', 'pipe', ...(launch.passphrase === undefined ? [] : (['pipe'] as const))], env: { ...process.env, ...launch.env } },
  );
  if (launch.passphrase !== undefined) (child.stdio[3] as NodeJS.WritableStream).end(`${launch.passphrase}\n`);
  const lines: string[] = [];
  const waiters: Array<{ pattern: RegExp; resolve: (l: string) => void }> = [];
  let buffered = '';
  const onChunk = (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      lines.push(line);
      for (const w of [...waiters]) if (w.pattern.test(line)) (waiters.splice(waiters.indexOf(w), 1), w.resolve(line));
    }
  };
  child.stdout!.on('data', onChunk);
  child.stderr!.on('data', onChunk);
  const waitFor = (pattern: RegExp, timeoutMs = 15_000) =>
    new Promise<string>((resolve, reject) => {
      const seen = lines.find((l) => pattern.test(l));
      if (seen) return resolve(seen);
      const t = setTimeout(() => reject(new Error(`${name}: no log line matching ${pattern} within ${timeoutMs} ms:\n${lines.join('\n')}`)), timeoutMs);
      waiters.push({ pattern, resolve: (l) => (clearTimeout(t), resolve(l)) });
    });
  const stop = () =>
    new Promise<void>((resolve) => {
      // A child killed by a signal (kill -9 in a test) has exitCode null and signalCode set; its
      // 'exit' has already fired, so waiting for it would never resolve.
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGINT');
      setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
    });
  // A node that never gets ready is killed: left running, it would keep its caller's process alive.
  return waitFor(/ready: fingerprint/).then(
    (line) => {
      const m = /fingerprint (\S+), port (\d+)/.exec(line)!;
      return { name, home, port: Number(m[2]), fingerprint: m[1]!, process: child, waitFor, log: () => lines, stop };
    },
    async (err: unknown) => {
      await stop();
      throw err;
    },
  );
}
