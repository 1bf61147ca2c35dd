// The owner's side of eviction with real node processes at default settings (but the lender's
// offer), driven by the CLI and the SDK: a lender offering 4 MB takes ten 1 MB cache blocks and
// evicts the oldest; the owner's `memcloud ls` agrees with what the lender holds and charges, the
// evicted items say evicted, and reading one fails with EVICTED "evicted from the pool" (never a
// generic not-found), before and after the owner restarts. `ls` itself: table, --json, alias, bad
// arguments.

import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import type { DataItem, PeerInfo, Stats } from '../../../engine/api/types';
import { sealedSize } from '../../../engine/data/stored-size';
import { isMemCloudError } from '../../../engine/errors';
import { MemCloud } from '../../../engine/sdk';
import { chargeOf } from '../../../engine/store/block-cost';
import { CLI, cli, startNode, type RunningNode } from '../../support/node-process';
import { settled } from '../../support/eventually';
import { cliJson as json, homesTrustingEachOther as trusting } from '../../support/node-homes';

const MiB = 1024 * 1024;
const root = mkdtempSync(join(tmpdir(), 'memcloud-evicted-'));
const nodes: RunningNode[] = [];
after(async () => {
  await Promise.all(nodes.map((n) => n.stop()));
  rmSync(root, { recursive: true, force: true });
});

const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;

function run(home: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args, '--home', home], { encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout.replace(ANSI, ''), stderr: r.stderr.replace(ANSI, '') };
}

async function start(name: string, home: string, extra: string[] = []): Promise<RunningNode> {
  const node = await startNode(name, home, extra);
  nodes.push(node);
  return node;
}

/** A failed read: exit 1, EVICTED, the words users see; never a generic not-found or "use pull". */
function assertEvictedFailure(r: { status: number | null; stderr: string }, what: string): void {
  assert.equal(r.status, 1, `${what}: ${r.stderr}`);
  assert.match(r.stderr, /evicted from the pool/, what);
  assert.match(r.stderr, /\[EVICTED\]/, what);
  assert.doesNotMatch(r.stderr, /use pull|NOT_FOUND/, what);
}

describe('evicted cache items, owner side', () => {
  test('a lender offering 4 MB takes ten 1 MB cache blocks; the owner lists what it holds, the rest as evicted, and reads of those say so', async () => {
    const homes = trusting(root, ['keeper', 'cacher']);
    const keeper = await start('keeper', homes.keeper!, ['--offer', '4mb']);
    let owner = await start('cacher', homes.cacher!, ['--connect', `127.0.0.1:${keeper.port}`]);
    await owner.waitFor(/session established with keeper /);

    // Older cache items first: a pushed stream of two chunks and a key; then ten 1 MiB blocks.
    const streamFile = join(root, 'old.bin');
    writeFileSync(streamFile, randomBytes(MiB + MiB / 2));
    const streamId = cli(homes.cacher!, ['push', streamFile, '--cache', '--name', 'old.bin']).trim().split(/\s+/).find((w) => /^[0-9a-f]{32}$/.test(w));
    assert.ok(streamId, 'push printed the stream id');
    const keyFile = join(root, 'old-key');
    writeFileSync(keyFile, randomBytes(700_000));
    cli(homes.cacher!, ['set', 'old', '--cache', '--file', keyFile]);
    const blocks: Array<{ id: string; data: Buffer }> = [];
    for (let i = 0; i < 10; i++) {
      const file = join(root, `block${i}`);
      const data = randomBytes(MiB);
      writeFileSync(file, data);
      blocks.push({ id: cli(homes.cacher!, ['store', '--cache', '--file', file]).trim(), data });
    }
    const kept = Math.floor((4 * MiB) / chargeOf(sealedSize(MiB)));
    assert.equal(kept, 3);
    const newest = new Set(blocks.slice(10 - kept).map((b) => b.id));

    // The EVICTED notices reach the owner: everything but the newest blocks reads as evicted.
    const expectedEvicted = 10 - kept + 2;
    const items = await settled(
      () => json<DataItem[]>(homes.cacher!, ['ls']),
      (v) => v.filter((d) => d.state === 'evicted').length === expectedEvicted,
      60_000,
    );
    assert.equal(items.length, 12, 'every item is listed, evicted ones too');
    for (const d of items) {
      if (newest.has(d.id)) {
        assert.equal(d.state, 'ok', `${d.id} is held`);
        assert.deepEqual(d.replicas.map((r) => r.holderName), ['keeper']);
      } else {
        assert.equal(d.state, 'evicted', `${d.kind} ${d.name} was evicted`);
        assert.deepEqual(d.replicas, [], 'an evicted item has no replica');
      }
      assert.equal(d.durability, 'cache');
    }
    const stream = items.find((d) => d.id === streamId)!;
    assert.equal(stream.kind, 'stream');
    assert.equal(stream.name, 'old.bin');
    assert.equal(items.find((d) => d.kind === 'key')!.name, 'old');

    // The owner's view agrees with the lender's: the same bytes, charged the same way.
    const held = items.filter((d) => d.state === 'ok').reduce((n, d) => n + chargeOf(sealedSize(d.size)), 0);
    assert.equal(held, kept * chargeOf(sealedSize(MiB)));
    const onKeeper = json<PeerInfo[]>(homes.keeper!, ['peers', 'list']).find((p) => p.name === 'cacher')!;
    assert.equal(onKeeper.storedHereBytes, held, "the lender's count");
    assert.equal(json<Stats>(homes.keeper!, ['stats']).lent.usedBytes, held);
    const ours = await settled(
      () => json<PeerInfo[]>(homes.cacher!, ['peers', 'list']).find((p) => p.name === 'keeper')!.usedByUsBytes,
      (v) => v === held,
    );
    assert.equal(ours, held, "the owner's count of what it keeps on keeper");
    assert.equal(json<Stats>(homes.cacher!, ['stats']).borrowed.usedBytes, held);

    // `ls` as a table, and its alias; both plain text with the holder named.
    const table = run(homes.cacher!, ['ls']);
    assert.equal(table.status, 0, table.stderr);
    const lines = table.stdout.trimEnd().split('\n');
    assert.match(lines[0]!, /^NAME\s+KIND\s+ID\s+SIZE\s+DURABILITY\s+REPLICAS\s+STATE$/);
    assert.equal(lines.length, 13);
    assert.match(lines.find((l) => l.startsWith('old.bin'))!, /stream\s+[0-9a-f]{32}\s+1\.5 MiB\s+cache\s+-\s+evicted$/);
    for (const id of newest) assert.match(lines.find((l) => l.includes(id))!, /1 MiB\s+cache\s+keeper\s+ok$/);
    assert.equal(run(homes.cacher!, ['list']).stdout, table.stdout, 'list is ls');
    assert.deepEqual(json<DataItem[]>(homes.cacher!, ['list']), json<DataItem[]>(homes.cacher!, ['ls']));

    // Reads of evicted items fail with EVICTED, in the CLI and the SDK.
    const evictedBlock = blocks[0]!;
    assertEvictedFailure(run(homes.cacher!, ['load', evictedBlock.id]), 'load of an evicted block');
    assertEvictedFailure(run(homes.cacher!, ['get', 'old']), 'get of an evicted key');
    const out = join(root, 'pulled.bin');
    assertEvictedFailure(run(homes.cacher!, ['pull', streamId, out]), 'pull of an evicted stream');
    assert.ok(!existsSync(out), 'nothing is written for an evicted stream');
    const client = await MemCloud.connect({ home: homes.cacher! });
    try {
      for (const [what, p] of [
        ['get', client.get('old')],
        ['load', client.load(evictedBlock.id)],
        ['pull', client.pullFile(streamId, join(root, 'sdk-pulled.bin'))],
      ] as const) {
        await assert.rejects(p, (err) => isMemCloudError(err, 'EVICTED') && /evicted from the pool/.test(err.message), `SDK ${what}`);
      }
      for (const b of blocks.slice(10 - kept)) assert.deepEqual(Buffer.from(await client.load(b.id)), b.data, 'a newest block loads back');
    } finally {
      await client.close();
    }

    // A restarted owner still knows what was evicted (the catalog keeps it).
    await owner.stop();
    nodes.splice(nodes.indexOf(owner), 1);
    owner = await start('cacher', homes.cacher!, ['--connect', `127.0.0.1:${keeper.port}`]);
    await owner.waitFor(/session established with keeper /);
    const again = json<DataItem[]>(homes.cacher!, ['ls']);
    assert.deepEqual(
      again.map((d) => [d.id, d.state]).sort(),
      items.map((d) => [d.id, d.state]).sort(),
      'the same items in the same states after a restart',
    );
    assertEvictedFailure(run(homes.cacher!, ['get', 'old']), 'get of an evicted key after a restart');

    // An evicted item can be freed, or written again.
    assert.equal(run(homes.cacher!, ['free', evictedBlock.id]).status, 0);
    assert.equal(run(homes.cacher!, ['free', streamId]).status, 0);
    cli(homes.cacher!, ['set', 'old', 'fresh', '--cache']);
    assert.equal(cli(homes.cacher!, ['get', 'old']), 'fresh');
    const after = json<DataItem[]>(homes.cacher!, ['ls']);
    assert.ok(!after.some((d) => d.id === evictedBlock.id || d.id === streamId), 'freed items are gone');
    assert.equal(after.find((d) => d.kind === 'key' && d.name === 'old')!.state, 'ok');
  });

  test('ls: bad arguments are usage errors (exit 2); with no node running it says so', () => {
    const home = join(root, 'lonely');
    cli(home, ['id']);
    for (const args of [['ls', 'extra'], ['ls', '--frobnicate'], ['list', '--json', 'x']]) {
      const r = run(home, args);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /Usage: memcloud (ls|list)/);
    }
    const r = run(home, ['ls']);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /\[NODE_NOT_RUNNING\]/);
    const help = run(home, ['ls', '--help']);
    assert.equal(help.status, 0);
    assert.match(help.stdout, /--json/);
  });
});
