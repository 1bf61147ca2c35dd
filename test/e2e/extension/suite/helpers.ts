// Helpers for the suite that runs inside the extension host: bounded polling, file digests, and
// real `memcloud node run` processes started from inside VS Code.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import * as vscode from 'vscode';

/** The test environment the launcher passes with --env; a missing variable fails loudly. */
export function env(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run this suite through test/e2e/extension/extension.test.ts`);
  return v;
}

/** Polls `probe` until it returns a truthy value; rejects after `timeoutMs` with `what` and the last value. */
export async function waitFor<T>(what: string, probe: () => T | Promise<T>, timeoutMs = 20_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    last = await probe();
    if (last) return last as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last value: ${JSON.stringify(last)?.slice(0, 400)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function sha256File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (c) => hash.update(c))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}

export interface CliNode {
  readonly process: ChildProcess;
  /** Resolves with the first output line matching `pattern`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Ctrl-C (graceful leave), SIGKILL after 15 s. */
  stop(): Promise<void>;
}

/** `node dist/cli.js node run ...` as a real process. */
export function startCliNode(args: readonly string[]): CliNode {
  const child = spawn(env('MEMCLOUD_TEST_NODE_BIN'), [env('MEMCLOUD_TEST_CLI'), 'node', 'run', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const waiters: Array<() => void> = [];
  const onData = (chunk: Buffer) => {
    output += chunk.toString('utf8');
    for (const w of waiters.splice(0)) w();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const waitForLine = (pattern: RegExp, timeoutMs = 20_000) =>
    new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms:\n${output}`)), timeoutMs);
      const check = () => {
        const line = output.split('\n').find((l) => pattern.test(l));
        if (line !== undefined) {
          clearTimeout(timer);
          resolve(line);
        } else if (child.exitCode !== null) {
          clearTimeout(timer);
          reject(new Error(`the node exited (${child.exitCode}) before printing ${pattern}:\n${output}`));
        } else waiters.push(check);
      };
      check();
    });
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      child.once('exit', () => {
        clearTimeout(killer);
        resolve();
      });
      child.kill('SIGINT');
    });
  return { process: child, waitFor: waitForLine, stop };
}

/**
 * The environment a new integrated terminal's process starts with: a real terminal (VS Code's pty
 * host) runs `env` into a file.
 */
export async function terminalEnv(name: string): Promise<Map<string, string>> {
  const file = join(env('MEMCLOUD_TEST_WORK'), `${name}.env`);
  const terminal = vscode.window.createTerminal({ name, shellPath: '/bin/sh', shellArgs: ['-c', `env > '${file}.tmp' && mv '${file}.tmp' '${file}'`] });
  try {
    await waitFor(`${name} to write its environment`, () => existsSync(file), 30_000);
  } finally {
    terminal.dispose();
  }
  const vars = new Map<string, string>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) vars.set(line.slice(0, eq), line.slice(eq + 1));
  }
  return vars;
}

/** One HTTP request to 127.0.0.1:port with a bearer token; the status and body. */
export function http(port: number, method: string, path: string, token: string, body?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers: { authorization: `Bearer ${token}` }, agent: false }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}
