// Several nodes in separate processes on 127.0.0.1: push 256 MiB with r=2, kill -9 one holder in
// the middle, and every byte still pulls back identical while the owner re-replicates.

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, cli, startNode, type RunningNode } from '../../support/node-process';
import { chargeOf } from '../../../engine/store/block-cost';
import { sealedSize } from '../../../engine/data/stored-size';

const root = mkdtempSync(join(tmpdir(), 'memcloud-repl-'));
const nodes: RunningNode[] = [];
after(async () => {
  await Promise.all(nodes.map((n) => n.stop()));
  rmSync(root, { recursive: true, force: true });
});

async function writeRandomFile(path: string, bytes: number): Promise<string> {
  const hash = createHash('sha256');
  const out = createWriteStream(path);
  for (let done = 0; done < bytes; ) {
    const chunk = randomBytes(Math.min(4 * 1024 * 1024, bytes - done));
    hash.update(chunk);
    if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
    done += chunk.length;
  }
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  return hash.digest('hex');
}

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** The process's peak resident memory (VmHWM), in MiB. */
function peakRssMiB(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : Number.NaN;
}

function json<T>(home: string, args: string[]): T {
  return JSON.parse(cli(home, [...args, '--json'])) as T;
}

function lentBytes(home: string): number {
  return json<{ lent: { usedBytes: number } }>(home, ['stats']).lent.usedBytes;
}

test('push 256 MiB with r=2, kill -9 a holder mid-push: every byte pulls back and the owner re-replicates', async () => {
  const names = ['owner', 'h1', 'h2', 'h3'];
  const homes = Object.fromEntries(names.map((n) => [n, join(root, n)]));
  const keys = Object.fromEntries(names.map((n) => [n, json<{ publicKey: string }>(homes[n]!, ['id']).publicKey]));
  for (const a of names) for (const b of names) if (a !== b) cli(homes[a]!, ['trust', 'add', keys[b]!, '--name', b]);

  const holders = await Promise.all(['h1', 'h2', 'h3'].map((n) => startNode(n, homes[n]!)));
  nodes.push(...holders);
  const owner = await startNode('owner', homes.owner!, holders.flatMap((h) => ['--connect', `127.0.0.1:${h.port}`]));
  nodes.push(owner);
  await Promise.all(holders.map((h) => owner.waitFor(new RegExp(`session established with ${h.name} `))));

  const size = 256 * 1024 * 1024;
  // What the holders charge for it: 256 sealed 1 MiB chunks, each with the fixed per-block charge.
  const stored = 256 * chargeOf(sealedSize(1024 * 1024));
  const file = join(root, 'data.bin');
  const digest = await writeRandomFile(file, size);

  const push = spawn(process.execPath, [CLI, 'push', file, '--replicas', '2', '--home', homes.owner!], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  push.stdout.on('data', (c) => (out += c));
  push.stderr.on('data', (c) => (err += c));
  const pushed = new Promise<number>((resolve) => push.once('exit', (code) => resolve(code ?? 1)));

  // Kill h1 once it holds a good part of the data, while the push is still running.
  const victim = holders[0]!;
  let killedAt = -1;
  for (let i = 0; i < 600 && push.exitCode === null; i++) {
    const held = lentBytes(homes.h1!);
    if (held >= 48 * 1024 * 1024) {
      victim.process.kill('SIGKILL');
      killedAt = held;
      break;
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  assert.ok(killedAt > 0, 'h1 was killed while the push was running');
  assert.equal(await pushed, 0, `push failed: ${err}`);
  const id = out.trim();
  assert.match(id, /^[0-9a-f]{32}$/);

  // Streams are chunked with a bounded window: the owner's memory grows with the window, not the
  // 256 MiB (x2 replicas) that went through it.
  const ownerPeakMiB = peakRssMiB(owner.process.pid!);
  assert.ok(ownerPeakMiB < 200, `owner node peak RSS ${ownerPeakMiB} MiB while pushing 256 MiB`);

  const back = join(root, 'back.bin');
  cli(homes.owner!, ['pull', id, back]);
  assert.equal(await sha256File(back), digest, 'every byte pulls back identical');

  // The owner re-replicates what h1 held: eventually every item has 2 live replicas on h2 and h3.
  for (let i = 0; i < 200; i++) {
    const stats = json<{ borrowed: { degraded: number; usedBytes: number } }>(homes.owner!, ['stats']);
    if (stats.borrowed.degraded === 0 && stats.borrowed.usedBytes === 2 * stored) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const stats = json<{ borrowed: { degraded: number; usedBytes: number } }>(homes.owner!, ['stats']);
  assert.equal(stats.borrowed.degraded, 0, 'no block is left with fewer than 2 replicas');
  assert.equal(stats.borrowed.usedBytes, 2 * stored);
  const chunks = size / (1024 * 1024); // 1 MiB blocks, sealed, each charged its sealed size plus the fixed overhead
  assert.equal(lentBytes(homes.h2!) + lentBytes(homes.h3!), 2 * chunks * chargeOf(sealedSize(1024 * 1024)), 'h2 and h3 now hold both replicas of everything');
  await owner.waitFor(/h1 left holding \d+ of our blocks/);

  // And still identical after re-replication.
  rmSync(back);
  cli(homes.owner!, ['pull', id, back]);
  assert.equal(await sha256File(back), digest);
});
