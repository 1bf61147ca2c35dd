// Every wait has a deadline, owner side (issue 8 item 6), with real node processes: a read that
// meets a frozen holder (SIGSTOP) is served by another replica while that holder is still stopped;
// a push whose holder stops reading fails over to another holder; `node stop` of a lender returns
// once nothing more can move, saying what could not. Verdicts are about data and state, never
// about time; the read latencies are printed as diagnostics.

import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import type { DataItem, Stats } from '../../../engine/api/types';
import { MemCloud } from '../../../engine/sdk';
import { CLI, cli, startNode, type RunningNode } from '../../support/node-process';
import { settled } from '../../support/eventually';
import { freeze as freezeProcess, isFrozen, thaw as thawProcess } from '../../support/frozen-process';
import { cliJson as json, homesTrustingEachOther } from '../../support/node-homes';

const MiB = 1024 * 1024;
const root = mkdtempSync(join(tmpdir(), 'memcloud-frozen-'));
const nodes: RunningNode[] = [];
const frozen = new Set<RunningNode>();
after(async () => {
  for (const n of frozen) thaw(n);
  await Promise.all(nodes.map((n) => n.stop()));
  rmSync(root, { recursive: true, force: true });
});

/** Resolves once every thread of the node is stopped (kill() only queues SIGSTOP). */
async function freeze(n: RunningNode): Promise<void> {
  frozen.add(n);
  await freezeProcess(n.process);
}

function thaw(n: RunningNode): void {
  thawProcess(n.process);
  frozen.delete(n);
}

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

async function start(name: string, home: string, extra: string[] = []): Promise<RunningNode> {
  const node = await startNode(name, home, extra);
  nodes.push(node);
  return node;
}

/** An owner and lenders, the owner connected to each. */
async function cluster(prefix: string, lenders: readonly string[]): Promise<{ homes: Record<string, string>; owner: RunningNode; lenders: RunningNode[] }> {
  const homes = homesTrustingEachOther(root, ['owner', ...lenders], prefix);
  const ls = await Promise.all(lenders.map((n) => start(n, homes[n]!)));
  const owner = await start('owner', homes.owner!, ls.flatMap((l) => ['--connect', `127.0.0.1:${l.port}`]));
  await Promise.all(ls.map((l) => owner.waitFor(new RegExp(`session established with ${l.name} `), 60_000)));
  return { homes, owner, lenders: ls };
}

/**
 * Runs the CLI without blocking this process: a node we spawned must be reaped by us when it
 * exits (spawnSync would leave it a zombie, which `node stop` rightly sees as still running).
 */
function runCli(args: readonly string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('close', (code) => resolve({ code, out, err }));
  });
}

const lentBytes = (home: string): number => json<Stats>(home, ['stats']).lent.usedBytes;

describe('frozen holders', () => {
  test('a read that meets a frozen holder is served by the other replica while it is still stopped', async (t) => {
    const { homes, lenders } = await cluster('read', ['l1', 'l2']);
    const value = randomBytes(200_000);
    const file = join(root, 'read.bin');
    writeFileSync(file, randomBytes(3 * MiB + 5));
    const client = await MemCloud.connect({ home: homes.owner! });
    try {
      await client.set('k', value, { replicas: 2 });
      const info = await client.pushFile(file, { replicas: 2 });
      for (const d of await client.listData()) assert.equal(d.replicas.length, 2, `${d.name} has both replicas`);
      for (const l of lenders) {
        await freeze(l);
        try {
          const t0 = performance.now();
          const got = await client.get('k');
          const getMs = performance.now() - t0;
          assert.equal(sha(got), sha(value), `get with ${l.name} frozen`);
          const out = join(root, `pulled-${l.name}.bin`);
          const t1 = performance.now();
          await client.pullFile(info.id, out);
          const pullMs = performance.now() - t1;
          assert.equal(sha(readFileSync(out)), sha(readFileSync(file)), `pull with ${l.name} frozen`);
          assert.ok(frozen.has(l) && isFrozen(l.process.pid!), `${l.name} is still stopped`);
          t.diagnostic(`${l.name} frozen: get ${getMs.toFixed(0)} ms, pull of 3 MiB (4 chunks) ${pullMs.toFixed(0)} ms`);
        } finally {
          thaw(l);
        }
      }
    } finally {
      await client.close();
    }
  });

  test('a push whose holder stops reading fails over to the other holder and completes while it is stopped', async () => {
    const { homes, lenders } = await cluster('push', ['l1', 'l2']);
    const [l1, l2] = lenders as [RunningNode, RunningNode];
    await freeze(l1);
    try {
      const file = join(root, 'push.bin');
      writeFileSync(file, randomBytes(40 * MiB));
      const r = await runCli(['push', file, '--replicas', '1', '--home', homes.owner!]);
      assert.equal(r.code, 0, r.err);
      assert.ok(frozen.has(l1) && isFrozen(l1.process.pid!), 'l1 was stopped the whole time');
      const id = r.out.trim();
      const item = json<DataItem[]>(homes.owner!, ['ls']).find((d) => d.id === id)!;
      assert.deepEqual(item.replicas.map((x) => x.holderName), ['l2'], 'every chunk went to the holder that reads');
      assert.equal(item.state, 'ok');
      const out = join(root, 'push-back.bin');
      cli(homes.owner!, ['pull', id, out]);
      assert.equal(sha(readFileSync(out)), sha(readFileSync(file)));
    } finally {
      thaw(l1);
    }
    // What l1 took late (the STOREs it read after waking) is freed again: it keeps nothing of ours.
    assert.equal(await settled(() => lentBytes(homes.l1!), (v) => v === 0), 0, 'l1 keeps nothing of the owner');
    assert.ok(lentBytes(homes.l2!) > 40 * MiB);
    void l2;
  });

  test('node stop of a lender returns once nothing more can move, and says what could not', async () => {
    const { homes, owner, lenders } = await cluster('stop', ['l1', 'l2', 'l3']);
    const [l1] = lenders as [RunningNode];
    for (let i = 0; i < 4; i++) cli(homes.owner!, ['set', `k${i}`, randomBytes(50_000).toString('base64'), '--replicas', '3']);
    assert.ok(lentBytes(homes.l1!) > 0);
    // Three replicas wanted, three holders: with l1 leaving, there is nowhere to move its copies.
    const r = await runCli(['node', 'stop', '--home', homes.l1!]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /stopped node "l1"/);
    assert.match(r.err, /leave: 4 blocks \(.+\) held for owner could not be moved/);
    await new Promise<void>((resolve) => (l1.process.exitCode !== null ? resolve() : l1.process.once('exit', () => resolve())));
    assert.equal(l1.process.exitCode, 0, 'l1 stopped by itself');
    void owner;
  });

  test('node stop of a lender whose blocks can move waits until they moved; nothing is lost', async () => {
    const homes = homesTrustingEachOther(root, ['owner', 'l1', 'l2'], 'move');
    const l1 = await start('l1', homes.l1!);
    const l2 = await start('l2', homes.l2!);
    const owner = await start('owner', homes.owner!, ['--connect', `127.0.0.1:${l1.port}`]);
    await owner.waitFor(/session established with l1 /);
    const values = Array.from({ length: 6 }, () => randomBytes(40_000).toString('base64'));
    values.forEach((v, i) => cli(homes.owner!, ['set', `m${i}`, v]));
    cli(homes.owner!, ['connect', `127.0.0.1:${l2.port}`]);
    await owner.waitFor(/session established with l2 /);
    const r = await runCli(['node', 'stop', '--home', homes.l1!]);
    assert.equal(r.code, 0, r.err);
    assert.doesNotMatch(r.err, /could not be moved/);
    values.forEach((v, i) => assert.equal(cli(homes.owner!, ['get', `m${i}`]), v, `m${i} after l1 left`));
    for (const d of json<DataItem[]>(homes.owner!, ['ls'])) assert.deepEqual(d.replicas.map((x) => x.holderName), ['l2']);
  });
});

describe('cancel', () => {
  test('an AbortSignal ends a push at once and frees what it stored, on every lender; Ctrl-C of the CLI does the same', async () => {
    const { homes } = await cluster('cancel', ['l1', 'l2']);
    const file = join(root, 'cancel.bin');
    writeFileSync(file, randomBytes(96 * MiB));
    const stored = (): number => lentBytes(homes.l1!) + lentBytes(homes.l2!);
    const client = await MemCloud.connect({ home: homes.owner! });
    try {
      const ac = new AbortController();
      const push = client.pushFile(file, { replicas: 2, signal: ac.signal });
      push.catch(() => undefined);
      await settled(stored, (v) => v > 4 * MiB);
      ac.abort();
      await assert.rejects(push, (err: { code?: string }) => err.code === 'CANCELLED');
      assert.equal(await settled(stored, (v) => v === 0), 0, 'nothing of the cancelled push is left on the lenders');
      assert.deepEqual(await client.listData(), []);
    } finally {
      await client.close();
    }

    const p = spawn(process.execPath, [CLI, 'push', file, '--home', homes.owner!], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((resolve) => p.on('close', resolve));
    await settled(stored, (v) => v > 4 * MiB);
    p.kill('SIGINT');
    assert.equal(await exited, 1, err);
    assert.match(err, /cancelled; nothing was kept \[CANCELLED\]/);
    assert.equal(await settled(stored, (v) => v === 0), 0, 'nothing of the interrupted push is left on the lenders');
    assert.deepEqual(json<DataItem[]>(homes.owner!, ['ls']), []);
  });
});
