// A real redis-server (Debian) on a free loopback port, in a temp dir, for the upstream tests; and
// redis-cli as an independent client to look at what was stored.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireDebianTool } from '../../scripts/buildtools/prepare.mjs';
import { freePort } from '../../scripts/e2e/proc.mjs';

export interface RedisServer {
  readonly port: number;
  readonly password: string;
  readonly url: string;
  /** redis-cli's raw output for a command. */
  cli(...args: string[]): string;
  stop(): Promise<void>;
}

export async function startRedis(): Promise<RedisServer> {
  requireDebianTool('redis-server');
  const dir = mkdtempSync(join(tmpdir(), 'memcloud-redis-'));
  const password = 'p4ss-w0rd';
  const port = await freePort();
  const child: ChildProcess = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--requirepass', password, '--loglevel', 'warning'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  child.stdout!.on('data', (c: Buffer) => (log += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (log += c.toString()));
  const cli = (...args: string[]) => {
    const r = spawnSync('redis-cli', ['-h', '127.0.0.1', '-p', String(port), '--no-auth-warning', '-a', password, ...args], { encoding: 'utf8', timeout: 10_000 });
    return r.stdout;
  };
  for (let i = 0; ; i++) {
    if (cli('PING').trim() === 'PONG') break;
    if (child.exitCode !== null || i > 100) throw new Error(`redis-server did not start:\n${log}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    port,
    password,
    url: `redis://:${password}@127.0.0.1:${port}`,
    cli,
    stop: () =>
      new Promise<void>((resolve) => {
        const done = () => {
          rmSync(dir, { recursive: true, force: true });
          resolve();
        };
        if (child.exitCode !== null || child.signalCode !== null) return done();
        child.once('exit', done);
        child.kill('SIGKILL');
      }),
  };
}
