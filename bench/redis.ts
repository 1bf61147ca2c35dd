// The Redis comparison for `npm run bench`, where redis-server and redis-benchmark are installed:
// SET with 1 KiB values, one connection, 16 pipelined (the issue's -c 1 -P 16 -d 1024), over a Unix
// socket in a temp dir, with persistence off. Returns requests per second, or null when absent.

import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function has(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

export function measureRedis(): number | null {
  if (!has('redis-benchmark') || !has('redis-server')) return null;
  const dir = mkdtempSync(join(tmpdir(), 'memcloud-redis-'));
  const sock = join(dir, 'redis.sock');
  const server = spawn('redis-server', ['--port', '0', '--unixsocket', sock, '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' });
  try {
    for (let i = 0; i < 100 && !existsSync(sock); i++) spawnSync('sleep', ['0.05']);
    const r = spawnSync('redis-benchmark', ['-s', sock, '-c', '1', '-P', '16', '-d', '1024', '-t', 'set', '-n', '400000', '--csv'], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    const line = r.stdout.split('\n').find((l) => l.startsWith('"SET"'));
    return line ? Number(line.split(',')[1]!.replace(/"/g, '')) : null;
  } finally {
    server.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}
