import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isMemCloudError } from '../../../engine/errors';
import { BLOCK_OVERHEAD_BYTES } from '../../../engine/store/block-cost';
import { BlockStore, type StoreTotals } from '../../../engine/store/block-store';

const KiB = 1024;
const O = BLOCK_OVERHEAD_BYTES;
/** What blocks of these data sizes are charged together. */
const c = (...sizes: number[]): number => sizes.reduce((sum, n) => sum + n + O, 0);
/** Totals of a store without peer blocks. */
const selfTotals = (t: Omit<StoreTotals, 'peerUsedBytes' | 'peerPinnedBytes' | 'peerCapacityBytes'>): StoreTotals =>
  ({ ...t, peerUsedBytes: 0, peerPinnedBytes: 0, peerCapacityBytes: t.capacityBytes });
const PEER = 'Zm9vYmFyYmF6cXV4cXV1eHF1dXhxdXV4cXV1eHF1dXg';

/** Distinct, checkable bytes: every byte derives from the seed. */
function bytes(size: number, seed = 1): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = (seed * 31 + i * 7) & 0xff;
  return out;
}

function clock(start = 1_000): { now: () => number; advance: (ms?: number) => number } {
  let t = start;
  return { now: () => t, advance: (ms = 1) => (t += ms) };
}

describe('BlockStore basics', () => {
  test('put, get, has, meta, list, ids, usage, namespaces and totals agree', () => {
    const time = clock();
    const store = new BlockStore({ capacityBytes: 64 * KiB, now: time.now });
    assert.deepEqual(store.put('self', 'a1', bytes(100, 1), { durability: 'pinned' }), { replacedBytes: 0, evicted: [] });
    time.advance(5);
    store.put('self', 'b2', bytes(200, 2), { durability: 'cache' });
    time.advance(5);
    assert.deepEqual(store.get('self', 'a1'), bytes(100, 1));
    assert.equal(store.get('self', 'zz'), undefined);
    assert.equal(store.has('self', 'b2'), true);
    assert.equal(store.has('self', 'zz'), false);
    assert.deepEqual(store.meta('self', 'a1'), { id: 'a1', size: 100, durability: 'pinned', createdAt: 1000, lastAccess: 1010 });
    assert.deepEqual(store.meta('self', 'b2'), { id: 'b2', size: 200, durability: 'cache', createdAt: 1005, lastAccess: 1005 });
    assert.equal(store.meta('self', 'zz'), undefined);
    assert.deepEqual(store.list('self').map((m) => m.id), ['a1', 'b2']);
    assert.deepEqual(store.ids('self'), ['a1', 'b2']);
    assert.deepEqual(store.usage('self'), { bytes: c(100, 200), blocks: 2 });
    assert.deepEqual(store.usage(PEER), { bytes: 0, blocks: 0 });
    assert.deepEqual(store.list(PEER), []);
    assert.deepEqual(store.namespaces(), ['self']);
    assert.deepEqual(store.totals(), selfTotals({ usedBytes: c(100, 200), capacityBytes: 64 * KiB, blocks: 2, pinnedBytes: c(100), cacheBytes: c(200), evictions: 0 }));
  });

  test('delete and deleteMany free exactly what they remove', () => {
    const store = new BlockStore({ capacityBytes: 64 * KiB });
    for (const id of ['a', 'b', 'c', 'd']) store.put('self', id, bytes(1000), { durability: id === 'a' ? 'pinned' : 'cache' });
    assert.equal(store.delete('self', 'a'), true);
    assert.equal(store.delete('self', 'a'), false);
    assert.deepEqual(store.deleteMany('self', ['b', 'missing', 'c']), { blocks: 2, bytes: c(1000, 1000) });
    assert.throws(() => store.deleteMany('self', ['d', 'BAD ID']), (err) => isMemCloudError(err, 'BAD_ARGUMENT'));
    assert.equal(store.has('self', 'd'), true, 'a malformed id in the list deletes nothing');
    assert.deepEqual(store.totals(), selfTotals({ usedBytes: c(1000), capacityBytes: 64 * KiB, blocks: 1, pinnedBytes: 0, cacheBytes: c(1000), evictions: 0 }));
    store.delete('self', 'd');
    assert.deepEqual(store.namespaces(), [], 'an emptied namespace is gone');
  });

  test('overwriting frees the old block: many overwrites total one block', () => {
    const store = new BlockStore({ capacityBytes: 10 * KiB });
    let last = bytes(1);
    for (let i = 0; i < 5000; i++) {
      const size = 1 + ((i * 37) % 4000);
      const durability = i % 3 === 0 ? 'pinned' : 'cache';
      const previous = last.length;
      last = bytes(size, i);
      const result = store.put('self', 'same', last, { durability });
      assert.equal(result.replacedBytes, i === 0 ? 0 : previous);
      assert.deepEqual(result.evicted, []);
    }
    const totals = store.totals();
    assert.equal(totals.usedBytes, c(last.length));
    assert.equal(totals.blocks, 1);
    assert.equal(totals.pinnedBytes + totals.cacheBytes, c(last.length));
    assert.equal(totals.evictions, 0);
    assert.deepEqual(store.usage('self'), { bytes: c(last.length), blocks: 1 });
    assert.equal(store.get('self', 'same'), last);
  });

  test('an overwrite switching durability moves the bytes between pinned and cache', () => {
    const time = clock();
    const store = new BlockStore({ capacityBytes: 64 * KiB, now: time.now });
    store.put('self', 'x', bytes(100), { durability: 'cache' });
    time.advance(10);
    store.put('self', 'x', bytes(300), { durability: 'pinned' });
    assert.deepEqual(store.totals(), selfTotals({ usedBytes: c(300), capacityBytes: 64 * KiB, blocks: 1, pinnedBytes: c(300), cacheBytes: 0, evictions: 0 }));
    assert.deepEqual(store.meta('self', 'x'), { id: 'x', size: 300, durability: 'pinned', createdAt: 1010, lastAccess: 1010 });
    store.put('self', 'x', bytes(50), { durability: 'cache' });
    assert.equal(store.totals().pinnedBytes, 0);
    assert.equal(store.totals().cacheBytes, c(50));
  });

  test('namespaces isolate: the same id in two namespaces is two blocks', () => {
    const store = new BlockStore({ capacityBytes: 64 * KiB });
    store.put('self', 'k', bytes(10, 1), { durability: 'pinned' });
    store.put(PEER, 'k', bytes(20, 2), { durability: 'pinned' });
    assert.deepEqual(store.get('self', 'k'), bytes(10, 1));
    assert.deepEqual(store.get(PEER, 'k'), bytes(20, 2));
    store.delete(PEER, 'k');
    assert.deepEqual(store.get('self', 'k'), bytes(10, 1));
    assert.equal(store.has(PEER, 'k'), false);
  });

  test('flush frees one namespace and leaves the others', () => {
    const store = new BlockStore({ capacityBytes: 64 * KiB });
    for (let i = 0; i < 10; i++) store.put(PEER, `p${i}`, bytes(100, i), { durability: i % 2 ? 'cache' : 'pinned' });
    for (let i = 0; i < 3; i++) store.put('self', `s${i}`, bytes(50, i), { durability: 'cache' });
    assert.deepEqual(store.flush(PEER), { blocks: 10, bytes: 1000 + 10 * O });
    assert.deepEqual(store.flush(PEER), { blocks: 0, bytes: 0 });
    assert.deepEqual(store.namespaces(), ['self']);
    assert.deepEqual(store.totals(), selfTotals({ usedBytes: c(50, 50, 50), capacityBytes: 64 * KiB, blocks: 3, pinnedBytes: 0, cacheBytes: c(50, 50, 50), evictions: 0 }));
    for (let i = 0; i < 3; i++) assert.deepEqual(store.get('self', `s${i}`), bytes(50, i));
    store.put(PEER, 'p0', bytes(7), { durability: 'pinned' });
    assert.deepEqual(store.usage(PEER), { bytes: c(7), blocks: 1 }, 'slots freed by a flush are reused cleanly');
  });

  test('keeps exact-size data as given and copies views into large buffers', () => {
    const store = new BlockStore({ capacityBytes: 4 << 20 });
    const exact = bytes(1024);
    store.put('self', 'exact', exact, { durability: 'pinned' });
    assert.equal(store.get('self', 'exact')!.buffer, exact.buffer, 'not copied');
    const big = bytes(1 << 20, 9);
    const view = big.subarray(4096, 4096 + 1024);
    store.put('self', 'view', view, { durability: 'pinned' });
    const kept = store.get('self', 'view')!;
    assert.notEqual(kept.buffer, big.buffer, 'copied out of the large buffer');
    assert.equal(kept.buffer.byteLength, 1024);
    assert.deepEqual(kept, view);
    big.fill(0);
    assert.deepEqual(kept, bytes(1 << 20, 9).subarray(4096, 4096 + 1024), 'the copy does not follow the big buffer');
  });
});

describe('BlockStore quotas and block costs', () => {
  test('a write over the namespace quota is refused and nothing is lost', () => {
    const store = new BlockStore({ capacityBytes: 1 << 20 });
    const quota = { durability: 'pinned', quotaBytes: c(KiB, KiB) } as const;
    store.put(PEER, 'a', bytes(KiB, 1), quota);
    store.put(PEER, 'b', bytes(KiB, 2), quota);
    const before = store.totals();
    assert.throws(() => store.put(PEER, 'c', bytes(KiB, 3), quota), (err) => {
      assert.ok(isMemCloudError(err, 'QUOTA_EXCEEDED'));
      assert.match(err.message, /quota exceeded for your data here: 3 KiB pinned of 3 KiB allowed; this block needs 1\.5 KiB \(its data plus 512 B\)/);
      return true;
    });
    assert.throws(() => store.put(PEER, 'a', bytes(2 * KiB, 4), quota), (err) => isMemCloudError(err, 'QUOTA_EXCEEDED'), 'a growing overwrite too');
    assert.throws(() => store.put(PEER, 'c', bytes(0), quota), (err) => isMemCloudError(err, 'QUOTA_EXCEEDED'), 'even an empty block');
    assert.deepEqual(store.totals(), before);
    assert.deepEqual(store.get(PEER, 'a'), bytes(KiB, 1), 'the previous data reads back identical');
    assert.deepEqual(store.get(PEER, 'b'), bytes(KiB, 2));
    assert.equal(store.has(PEER, 'c'), false);
    store.put(PEER, 'a', bytes(KiB, 5), quota); // same size: fits
    store.put('self', 'c', bytes(KiB, 3), quota); // other namespaces have their own usage
    assert.deepEqual(store.usage(PEER), { bytes: c(KiB, KiB), blocks: 2 });
  });

  test('every block is charged its data plus the fixed overhead, empty blocks too', () => {
    const store = new BlockStore({ capacityBytes: 1 << 20 });
    for (let i = 0; i < 100; i++) store.put(PEER, `e${i}`, new Uint8Array(0), { durability: 'pinned' });
    store.put(PEER, 'one', bytes(1), { durability: 'cache' });
    assert.deepEqual(store.usage(PEER), { bytes: 101 * O + 1, blocks: 101 });
    assert.equal(store.totals().usedBytes, 101 * O + 1);
    assert.equal(store.totals().peerUsedBytes, 101 * O + 1);
    assert.equal(store.totals().peerPinnedBytes, 100 * O);
    assert.deepEqual(store.deleteMany(PEER, ['e0', 'e1']), { blocks: 2, bytes: 2 * O });
  });

  test('quota 0 stores nothing, not even an empty block', () => {
    const store = new BlockStore({ capacityBytes: 1 << 20 });
    for (const durability of ['pinned', 'cache'] as const) {
      assert.throws(() => store.put(PEER, 'e', new Uint8Array(0), { durability, quotaBytes: 0 }), (err) => isMemCloudError(err, 'QUOTA_EXCEEDED'));
    }
    assert.deepEqual(store.usage(PEER), { bytes: 0, blocks: 0 });
    assert.deepEqual(store.namespaces(), []);
  });

  test('memory cap and peer capacity count the overhead: one byte less than the charge is refused', () => {
    const store = new BlockStore({ capacityBytes: c(KiB) - 1 });
    assert.throws(() => store.put('self', 'a', bytes(KiB), { durability: 'pinned' }), (err) => isMemCloudError(err, 'MEMORY_FULL'));
    const lender = new BlockStore({ capacityBytes: 1 << 20, peerCapacityBytes: c(KiB) - 1 });
    assert.throws(() => lender.put(PEER, 'a', bytes(KiB), { durability: 'pinned' }), (err) => {
      assert.ok(isMemCloudError(err, 'MEMORY_FULL'));
      assert.match(err.message, /pinned blocks of peers take 0 B of the 1\.5 KiB this node lends/);
      return true;
    });
    lender.put('self', 'a', bytes(KiB), { durability: 'pinned' }); // this node's own data is not lent
    lender.put(PEER, 'a', bytes(KiB - 1), { durability: 'pinned' });
    assert.equal(lender.totals().peerUsedBytes, c(KiB - 1));
  });

  test('the block cap: a namespace at maxBlocks evicts its own cache blocks, else is refused', () => {
    const store = new BlockStore({ capacityBytes: 1 << 20, sampleSize: 64 });
    const cap = { durability: 'pinned', maxBlocks: 3 } as const;
    store.put(PEER, 'p1', bytes(1), cap);
    store.put(PEER, 'c1', bytes(1), { durability: 'cache', maxBlocks: 3 });
    store.put(PEER, 'p2', bytes(1), cap);
    assert.deepEqual(store.put(PEER, 'p3', bytes(1), cap).evicted.map((e) => e.id), ['c1']);
    assert.throws(() => store.put(PEER, 'p4', bytes(1), cap), (err) => {
      assert.ok(isMemCloudError(err, 'QUOTA_EXCEEDED'));
      assert.match(err.message, /holds 3 pinned blocks, the most allowed \(3\)/);
      return true;
    });
    store.put(PEER, 'p3', bytes(5), cap); // an overwrite is not a new block
    store.put('self', 'x', bytes(1), cap); // the cap is per namespace
    assert.deepEqual(store.usage(PEER).blocks, 3);
  });

  test('roomFor: the largest block a namespace could store now, cache counted as room', () => {
    const store = new BlockStore({ capacityBytes: 100 * KiB, peerCapacityBytes: 50 * KiB });
    assert.equal(store.roomFor(PEER, 20 * KiB), 20 * KiB - O, 'its quota');
    assert.equal(store.roomFor(PEER, 80 * KiB), 50 * KiB - O, 'what the node lends');
    assert.equal(store.roomFor('self', Infinity), 100 * KiB - O, 'the memory cap');
    store.put(PEER, 'p', bytes(10 * KiB), { durability: 'pinned' });
    store.put(PEER, 'c', bytes(10 * KiB), { durability: 'cache' });
    assert.equal(store.roomFor(PEER, 20 * KiB), 10 * KiB - 2 * O);
    assert.equal(store.roomFor(PEER, 80 * KiB), 40 * KiB - 2 * O, 'its cache block is evictable');
    assert.equal(store.roomFor(PEER, 0), 0);
    assert.equal(store.roomFor(PEER, 80 * KiB, 1), 0, 'at its block cap with pinned blocks');
  });

  test('reuse: a same-size overwrite copies into the stored array; other overwrites replace it', () => {
    const store = new BlockStore({ capacityBytes: 1 << 20 });
    const reuse = { durability: 'pinned', reuse: true } as const;
    store.put(PEER, 'a', bytes(KiB, 1), reuse);
    const stored = store.get(PEER, 'a')!;
    const source = bytes(KiB, 2);
    assert.deepEqual(store.put(PEER, 'a', source, reuse), { replacedBytes: KiB, evicted: [] });
    assert.equal(store.get(PEER, 'a'), stored, 'the same array, now holding the new bytes');
    assert.deepEqual(stored, bytes(KiB, 2));
    source.fill(0);
    assert.deepEqual(store.get(PEER, 'a'), bytes(KiB, 2), 'a copy: the caller\'s array is not kept');
    store.put(PEER, 'a', bytes(2 * KiB, 3), reuse);
    assert.notEqual(store.get(PEER, 'a'), stored, 'another size: a new array');
    const second = store.get(PEER, 'a')!;
    store.put(PEER, 'a', bytes(2 * KiB, 4), { durability: 'pinned' });
    assert.notEqual(store.get(PEER, 'a'), second, 'without reuse: a new array');
    assert.deepEqual(second, bytes(2 * KiB, 3), 'arrays handed out earlier keep their bytes');
    assert.deepEqual(store.usage(PEER), { bytes: c(2 * KiB), blocks: 1 });
  });

  test('a namespace already over a lowered quota may still shrink its blocks', () => {
    const store = new BlockStore({ capacityBytes: 1 << 20 });
    store.put(PEER, 'a', bytes(3000), { durability: 'pinned' });
    const tight = { durability: 'pinned', quotaBytes: 1000 } as const;
    assert.throws(() => store.put(PEER, 'b', bytes(1), tight), (err) => isMemCloudError(err, 'QUOTA_EXCEEDED'));
    assert.equal(store.put(PEER, 'a', bytes(2000), tight).replacedBytes, 3000);
    assert.deepEqual(store.usage(PEER), { bytes: c(2000), blocks: 1 });
  });
});

describe('BlockStore argument checks', () => {
  test('refuses bad options and arguments with BAD_ARGUMENT, changing nothing', () => {
    const bad = (err: unknown): boolean => isMemCloudError(err, 'BAD_ARGUMENT');
    assert.throws(() => new BlockStore({ capacityBytes: -1 }), bad);
    assert.throws(() => new BlockStore({ capacityBytes: 1.5 }), bad);
    assert.throws(() => new BlockStore({ capacityBytes: 10, sampleSize: 0 }), bad);
    const store = new BlockStore({ capacityBytes: 1 << 20 });
    assert.throws(() => store.put('self', 'UPPER', bytes(1), { durability: 'pinned' }), bad);
    assert.throws(() => store.put('self', 'x'.repeat(65), bytes(1), { durability: 'pinned' }), bad);
    assert.throws(() => store.put('', 'a', bytes(1), { durability: 'pinned' }), bad);
    assert.throws(() => store.put('self', 'a', bytes(1), { durability: 'forever' as 'pinned' }), bad);
    assert.throws(() => store.put('self', 'a', bytes(1), { durability: 'cache', quotaBytes: -5 }), bad);
    assert.throws(() => store.put('self', 'a', bytes(1), { durability: 'cache', maxBlocks: 1.5 }), bad);
    assert.throws(() => new BlockStore({ capacityBytes: 10, peerCapacityBytes: -1 }), bad);
    assert.throws(() => store.setPeerCapacity(-1), bad);
    assert.throws(() => store.listPage('self', -1, 10), bad);
    assert.throws(() => store.listPage('self', 0, 0), bad);
    assert.throws(() => store.put('self', 'a', [1, 2] as unknown as Uint8Array, { durability: 'cache' }), bad);
    assert.throws(() => store.get('self', 'a/b'), bad);
    assert.throws(() => store.setCapacity(Number.NaN), bad);
    assert.equal(store.totals().blocks, 0);
    assert.equal(store.totals().capacityBytes, 1 << 20);
  });
});
