// The catalog on disk: every change journaled before its promise resolves comes back after a
// restart; a journal whose last write was cut short loses only that write; damage elsewhere stops
// the node with a message naming the file; compaction cut short at any point loses nothing.

import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SELF } from '../../../engine/store/self';
import type { Catalog } from '../../../engine/data/catalog';
import { ChangeEncoder, FileKind, encodeFileHeader } from '../../../engine/data/catalog-codec';
import { CatalogFiles, encodeSnapshot, type CatalogPaths } from '../../../engine/data/catalog-files';
import type { BlockParent, BlockRecord, StreamRecord } from '../../../engine/data/owner-index';
import { isMemCloudError } from '../../../engine/errors';
import { Logger } from '../../../engine/log/log';

const PEER_A = 'Zm9vYmFyYmF6cXV4cXV1eHF1dXhxdXV4cXV1eHF1dXg';
const PEER_B = 'YmFyYmF6cXV4cXV1eHF1dXhxdXV4cXV1eHF1dXhxdXg';

const roots: string[] = [];
after(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

function home(): CatalogPaths {
  const dir = mkdtempSync(join(tmpdir(), 'memcloud-catalog-'));
  roots.push(dir);
  return { snapshot: join(dir, 'owner-catalog'), journal: join(dir, 'owner-journal'), legacyIndex: join(dir, 'owner-index.json') };
}

function quietLog(): { log: Logger; lines: string[] } {
  const log = new Logger('debug');
  const lines: string[] = [];
  log.addSink((e) => lines.push(`${e.level} ${e.message}`));
  return { log, lines };
}

function block(c: Catalog, parent: BlockParent, holders: string[] = [PEER_A], size = 100): BlockRecord {
  return { id: c.newBlockId(), size, hash: '', durability: 'pinned', wanted: holders.length, holders, createdAt: 1_700_000_000_000, parent };
}

/** The maps as plain values, to compare catalogs. */
function state(c: Catalog): unknown {
  return {
    blocks: [...c.blocks.values()].map((r) => ({ ...r, holders: [...r.holders] })).sort((a, b) => a.id.localeCompare(b.id)),
    keys: [...c.keys].sort(),
    streams: [...c.streams.values()].sort((a, b) => a.id.localeCompare(b.id)),
  };
}

/** Keys, a stored block, a stream, overwrites, deletes and holder changes, each awaited. */
async function workload(c: Catalog): Promise<void> {
  for (let i = 0; i < 20; i++) await c.setKey(`k${i}`, block(c, { kind: 'key', key: `k${i}` }));
  for (let i = 0; i < 20; i += 2) await c.setKey(`k${i}`, block(c, { kind: 'key', key: `k${i}` }, [PEER_A, PEER_B]));
  for (let i = 0; i < 20; i += 5) await c.deleteKey(`k${i}`);
  await c.addBlock(block(c, null, [PEER_B], 5000));
  const streamId = 'ab'.repeat(16);
  const chunks = [block(c, { kind: 'stream', id: streamId, index: 0 }), block(c, { kind: 'stream', id: streamId, index: 1 })];
  for (const ch of chunks) await c.addBlock(ch);
  const stream: StreamRecord = { id: streamId, name: 'naïve name ✓', size: 200, chunks: chunks.map((ch) => ch.id), digest: 'cd'.repeat(32), format: 'folder', durability: 'cache', createdAt: 2 };
  await c.commitStream(stream);
  await c.addHolder(chunks[0]!.id, PEER_B);
  await c.removeHolder(chunks[1]!.id, PEER_A);
  await c.addHolder(chunks[1]!.id, PEER_B);
}

describe('catalog files', () => {
  test('what was committed comes back after a restart, and the files are 0600', async () => {
    const paths = home();
    const { log } = quietLog();
    const c = await CatalogFiles.open(paths, log);
    await workload(c);
    const before = state(c);
    await c.close();
    const again = await CatalogFiles.open(paths, log);
    assert.deepEqual(state(again), before);
    assert.equal(again.keys.size, 16);
    assert.deepEqual(Buffer.from(again.epoch), Buffer.from(c.epoch), 'the same catalog, so the same id tag');
    await again.close();
    for (const p of [paths.snapshot, paths.journal]) assert.equal(statSync(p).mode & 0o777, 0o600, p);
  });

  test('a kill -9 loses nothing committed: the journal is read back without a clean close', async () => {
    const paths = home();
    const { log } = quietLog();
    const c = await CatalogFiles.open(paths, log);
    await workload(c);
    // No close(): copy the files as a process killed now would leave them (the page cache has them).
    const crashed = home();
    copyFileSync(paths.snapshot, crashed.snapshot);
    copyFileSync(paths.journal, crashed.journal);
    const back = await CatalogFiles.open(crashed, log);
    assert.deepEqual(state(back), state(c));
    await back.close();
    await c.close();
  });

  test('a journal whose last write was cut short loses only that write', async () => {
    const paths = home();
    const { log, lines } = quietLog();
    const c = await CatalogFiles.open(paths, log);
    await c.setKey('kept', block(c, { kind: 'key', key: 'kept' }));
    const good = state(c);
    const sizeBefore = statSync(paths.journal).size;
    await c.setKey('torn', block(c, { kind: 'key', key: 'torn' }));
    await c.close();
    const full = readFileSync(paths.journal);
    for (const cut of [sizeBefore + 3, sizeBefore + 9, full.length - 1]) {
      const torn = home();
      copyFileSync(paths.snapshot, torn.snapshot);
      writeFileSync(torn.journal, full.subarray(0, cut));
      const back = await CatalogFiles.open(torn, log);
      assert.deepEqual(state(back), good, `cut at ${cut}`);
      await back.close();
    }
    // Garbage where the last frame was: the same.
    const garbled = home();
    copyFileSync(paths.snapshot, garbled.snapshot);
    const bytes = Buffer.from(full);
    bytes[bytes.length - 2]! ^= 0x55;
    writeFileSync(garbled.journal, bytes);
    const back = await CatalogFiles.open(garbled, log);
    assert.deepEqual(state(back), good);
    await back.close();
    // A journal whose header never reached the disk (power lost right after it was created).
    for (const empty of [Buffer.alloc(0), Buffer.alloc(20), Buffer.alloc(32)]) {
      const h = home();
      copyFileSync(paths.snapshot, h.snapshot);
      writeFileSync(h.journal, empty);
      const fresh = await CatalogFiles.open(h, log);
      assert.equal(fresh.keys.size, 0, 'what the snapshot held (nothing: it was taken at the first start)');
      await fresh.close();
    }
    assert.ok(lines.some((l) => l.startsWith('warn') && l.includes('cut short')), 'the torn write is reported');
  });

  test('damage before the end of the journal, or anywhere in the snapshot, stops the node and names the file', async () => {
    const paths = home();
    const { log } = quietLog();
    const c = await CatalogFiles.open(paths, log);
    await c.setKey('a', block(c, { kind: 'key', key: 'a' }));
    const middle = statSync(paths.journal).size - 4;
    await c.setKey('b', block(c, { kind: 'key', key: 'b' }));
    await c.close();
    const journal = readFileSync(paths.journal);
    journal[middle]! ^= 1;
    const bad = home();
    copyFileSync(paths.snapshot, bad.snapshot);
    writeFileSync(bad.journal, journal);
    await assert.rejects(CatalogFiles.open(bad, log), (e) => isMemCloudError(e, 'CONFIG_INVALID') && e.message.includes(bad.journal));
    // The snapshot is replaced atomically: any damage there is damage.
    const again = await CatalogFiles.open(paths, log);
    await again.close();
    const snap = readFileSync(paths.snapshot);
    snap[snap.length - 1]! ^= 1;
    const badSnap = home();
    writeFileSync(badSnap.snapshot, snap);
    await assert.rejects(CatalogFiles.open(badSnap, log), (e) => isMemCloudError(e, 'CONFIG_INVALID') && e.message.includes(badSnap.snapshot));
    // A journal without its snapshot is only part of the map: refused, never taken for the map.
    const alone = home();
    copyFileSync(paths.journal, alone.journal);
    await assert.rejects(CatalogFiles.open(alone, log), (e) => isMemCloudError(e, 'CONFIG_INVALID') && e.message.includes(alone.snapshot) && /missing/.test(e.message));
    // A journal of another catalog is not replayed onto this one.
    const other = home();
    const o = await CatalogFiles.open(other, log);
    await o.close();
    const mixed = home();
    copyFileSync(paths.snapshot, mixed.snapshot);
    copyFileSync(other.journal, mixed.journal);
    await assert.rejects(CatalogFiles.open(mixed, log), (e) => isMemCloudError(e, 'CONFIG_INVALID') && /another catalog/.test(e.message));
  });

  test('a compaction cut short at any step loses nothing (old journal, new snapshot, or both)', async () => {
    const paths = home();
    const { log } = quietLog();
    const c = await CatalogFiles.open(paths, log);
    await workload(c);
    const early = readFileSync(paths.journal);
    const earlySnapshot = readFileSync(paths.snapshot);
    // What compaction does in one step: the journal so far becomes the old one, a fresh journal
    // takes what comes next, and a snapshot of the state at the rotation is written.
    const newSnapshot = encodeSnapshot(c);
    const late = block(c, { kind: 'key', key: 'late' });
    const gone = c.keys.get('k1')!;
    await c.setKey('late', late);
    await c.deleteKey('k1');
    const final = state(c);
    const next = new ChangeEncoder();
    for (const change of [{ t: 'block', record: late }, { t: 'key', key: 'late', id: late.id }, { t: 'unkey', key: 'k1' }, { t: 'unblock', id: gone }] as const) next.add(change);
    const lateJournal = Buffer.concat([encodeFileHeader(FileKind.JOURNAL, c), next.frame()]);
    await c.close();
    const cases: Array<[string, Buffer]> = [
      ['rotated, no new snapshot yet', earlySnapshot],
      ['new snapshot written, old journal not yet removed', newSnapshot],
    ];
    for (const [what, snapshot] of cases) {
      const h = home();
      writeFileSync(h.snapshot, snapshot);
      writeFileSync(`${h.journal}.old`, early);
      writeFileSync(h.journal, lateJournal);
      const back = await CatalogFiles.open(h, log);
      assert.deepEqual(state(back), final, what);
      assert.equal(existsSync(`${h.journal}.old`), false, `${what}: the old journal is folded into the snapshot`);
      await back.close();
    }
  });

  test('the journal is compacted into the snapshot as it grows, while changes keep coming', async () => {
    const paths = home();
    const { log } = quietLog();
    const c = await CatalogFiles.open(paths, log, { compactAtBytes: 4096 });
    const first = readFileSync(paths.snapshot);
    for (let round = 0; round < 20; round++) await Promise.all(Array.from({ length: 50 }, (_, i) => c.setKey(`r${i}`, block(c, { kind: 'key', key: `r${i}` }))));
    await workload(c);
    const expected = state(c);
    await c.close();
    assert.ok(!readFileSync(paths.snapshot).equals(first), 'a new snapshot was written');
    assert.equal(existsSync(`${paths.journal}.old`), false);
    // The snapshot alone holds what was written before its compaction.
    const snapshotOnly = home();
    copyFileSync(paths.snapshot, snapshotOnly.snapshot);
    const compacted = await CatalogFiles.open(snapshotOnly, log);
    assert.ok([...compacted.keys.keys()].some((k) => k.startsWith('r')), 'the snapshot has the keys of the first rounds');
    await compacted.close();
    const back = await CatalogFiles.open(paths, log);
    assert.deepEqual(state(back), expected);
    await back.close();
  });

  test('a restored map drops what lived only in this node RAM and chunks of pushes that never finished', async () => {
    const paths = home();
    const { log, lines } = quietLog();
    const c = await CatalogFiles.open(paths, log);
    await c.setKey('local', block(c, { kind: 'key', key: 'local' }, [SELF]));
    await c.setKey('both', block(c, { kind: 'key', key: 'both' }, [SELF, PEER_A]));
    await c.addBlock(block(c, { kind: 'stream', id: 'ef'.repeat(16), index: 0 })); // its stream is never committed
    await c.close();
    const back = await CatalogFiles.open(paths, log);
    assert.deepEqual([...back.keys.keys()], ['both']);
    assert.deepEqual(back.blocks.get(back.keys.get('both')!)!.holders, [PEER_A]);
    assert.equal(back.blocks.size, 1);
    await back.close();
    assert.ok(lines.some((l) => l.includes("1 blocks that were only in this node's RAM are gone")));
    assert.ok(lines.some((l) => l.includes('1 chunks of streams whose push never finished')));
  });

  test("an earlier version's owner-index.json is imported once, then removed", async () => {
    const paths = home();
    const { log } = quietLog();
    writeFileSync(
      paths.legacyIndex,
      JSON.stringify({ version: 1, holders: [PEER_A], blocks: [['11'.repeat(16), 5, 'aa'.repeat(32), 0, 1, [0], 1, 'k:old']], keys: [['old', '11'.repeat(16)]], streams: [] }),
    );
    const c = await CatalogFiles.open(paths, log);
    assert.deepEqual([...c.keys], [['old', '11'.repeat(16)]]);
    assert.equal(c.ownsId('11'.repeat(16)), false, 'its ids were not made by this catalog');
    await c.close();
    assert.equal(existsSync(paths.legacyIndex), false);
    const again = await CatalogFiles.open(paths, log);
    assert.deepEqual([...again.keys], [['old', '11'.repeat(16)]]);
    await again.close();
  });

  test('many changes in one turn of the event loop go out in one write', async () => {
    const paths = home();
    const { log } = quietLog();
    const c = await CatalogFiles.open(paths, log);
    const before = statSync(paths.journal).size;
    await Promise.all(Array.from({ length: 500 }, (_, i) => c.setKey(`g${i}`, block(c, { kind: 'key', key: `g${i}` }))));
    const journal = readFileSync(paths.journal).subarray(before);
    const frameLength = journal.readUInt32BE(0);
    assert.equal(frameLength + 8, journal.length, 'one frame holds all 500 changes');
    await c.close();
  });
});
