// The Redis anchor for `npm run bench`: redis-benchmark against a redis-server this bench starts on a
// free port on 127.0.0.1 (persistence off), SET with 1 KiB values over one connection, pipelined
// (-P 16) and sequential (-P 1). Returns requests per second, or null with the reason when absent.

import { spawn, spawnSync } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RedisResult {
  readonly setOpsPipelined: number;
  readonly setOpsSeq: number;
}

export const REDIS_MISSING = 'redis-server and redis-benchmark are not installed (Debian: sudo apt-get install redis-server redis-tools)';

function has(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

function benchmark(port: number, pipeline: number, requests: number): number {
  const r = spawnSync(
    'redis-benchmark',
    ['-h', '127.0.0.1', '-p', String(port), '-c', '1', '-P', String(pipeline), '-d', '1024', '-t', 'set', '-n', String(requests), '--csv'],
    { encoding: 'utf8', timeout: 300_000 },
  );
  const line = r.stdout.split('\n').find((l) => l.startsWith('"SET"'));
  if (!line) throw new Error(`redis-benchmark -P ${pipeline} printed no SET result: ${r.stderr || r.stdout}`);
  return Number(line.split(',')[1]!.replace(/"/g, ''));
}

export async function measureRedis(quick: boolean): Promise<RedisResult | null> {
  if (!has('redis-benchmark') || !has('redis-server')) return null;
  const dir = mkdtempSync(join(tmpdir(), 'memcloud-redis-'));
  const port = await freePort();
  const server = spawn('redis-server', ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' });
  try {
    for (let i = 0; i < 100 && spawnSync('redis-cli', ['-h', '127.0.0.1', '-p', String(port), 'ping'], { encoding: 'utf8' }).stdout.trim() !== 'PONG'; i++) {
      spawnSync('sleep', ['0.05']);
    }
    return {
      setOpsPipelined: benchmark(port, 16, quick ? 100_000 : 400_000),
      setOpsSeq: benchmark(port, 1, quick ? 20_000 : 100_000),
    };
  } finally {
    server.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}
