import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isMemCloudError } from '../../../engine/errors';
import { BlockStore } from '../../../engine/store/block-store';

const KiB = 1024;
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
    assert.deepEqual(store.usage('self'), { bytes: 300, blocks: 2 });
    assert.deepEqual(store.usage(PEER), { bytes: 0, blocks: 0 });
    assert.deepEqual(store.list(PEER), []);
    assert.deepEqual(store.namespaces(), ['self']);
    assert.deepEqual(store.totals(), { usedBytes: 300, capacityBytes: 64 * KiB, blocks: 2, pinnedBytes: 100, cacheBytes: 200, evictions: 0 });
  });

  test('delete and deleteMany free exactly what they remove', () => {
    const store = new BlockStore({ capacityBytes: 64 * KiB });
    for (const id of ['a', 'b', 'c', 'd']) store.put('self', id, bytes(1000), { durability: id === 'a' ? 'pinned' : 'cache' });
    assert.equal(store.delete('self', 'a'), true);
    assert.equal(store.delete('self', 'a'), false);
    assert.deepEqual(store.deleteMany('self', ['b', 'missing', 'c']), { blocks: 2, bytes: 2000 });
    assert.throws(() => store.deleteMany('self', ['d', 'BAD ID']), (err) => isMemCloudError(err, 'BAD_ARGUMENT'));
    assert.equal(store.has('self', 'd'), true, 'a malformed id in the list deletes nothing');
    assert.deepEqual(store.totals(), { usedBytes: 1000, capacityBytes: 64 * KiB, blocks: 1, pinnedBytes: 0, cacheBytes: 1000, evictions: 0 });
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
    assert.equal(totals.usedBytes, last.length);
    assert.equal(totals.blocks, 1);
    assert.equal(totals.pinnedBytes + totals.cacheBytes, last.length);
    assert.equal(totals.evictions, 0);
    assert.deepEqual(store.usage('self'), { bytes: last.length, blocks: 1 });
    assert.equal(store.get('self', 'same'), last);
  });

  test('an overwrite switching durability moves the bytes between pinned and cache', () => {
    const time = clock();
    const store = new BlockStore({ capacityBytes: 64 * KiB, now: time.now });
    store.put('self', 'x', bytes(100), { durability: 'cache' });
    time.advance(10);
    store.put('self', 'x', bytes(300), { durability: 'pinned' });
    assert.deepEqual({ ...store.totals(), capacityBytes: 0 }, { usedBytes: 300, capacityBytes: 0, blocks: 1, pinnedBytes: 300, cacheBytes: 0, evictions: 0 });
    assert.deepEqual(store.meta('self', 'x'), { id: 'x', size: 300, durability: 'pinned', createdAt: 1010, lastAccess: 1010 });
    store.put('self', 'x', bytes(50), { durability: 'cache' });
    assert.equal(store.totals().pinnedBytes, 0);
    assert.equal(store.totals().cacheBytes, 50);
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
    assert.deepEqual(store.flush(PEER), { blocks: 10, bytes: 1000 });
    assert.deepEqual(store.flush(PEER), { blocks: 0, bytes: 0 });
    assert.deepEqual(store.namespaces(), ['self']);
    assert.deepEqual(store.totals(), { usedBytes: 150, capacityBytes: 64 * KiB, blocks: 3, pinnedBytes: 0, cacheBytes: 150, evictions: 0 });
    for (let i = 0; i < 3; i++) assert.deepEqual(store.get('self', `s${i}`), bytes(50, i));
    store.put(PEER, 'p0', bytes(7), { durability: 'pinned' });
    assert.deepEqual(store.usage(PEER), { bytes: 7, blocks: 1 }, 'slots freed by a flush are reused cleanly');
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

describe('BlockStore quotas', () => {
  test('a write over the namespace quota is refused and nothing is lost', () => {
    const store = new BlockStore({ capacityBytes: 1 << 20 });
    const quota = { durability: 'pinned', quotaBytes: 2 * KiB } as const;
    store.put(PEER, 'a', bytes(KiB, 1), quota);
    store.put(PEER, 'b', bytes(KiB, 2), quota);
    const before = store.totals();
    assert.throws(() => store.put(PEER, 'c', bytes(KiB, 3), quota), (err) => {
      assert.ok(isMemCloudError(err, 'QUOTA_EXCEEDED'));
      assert.match(err.message, /2 KiB used of 2 KiB/);
      assert.match(err.message, /needs 1 KiB more/);
      return true;
    });
    assert.throws(() => store.put(PEER, 'a', bytes(2 * KiB, 4), quota), (err) => isMemCloudError(err, 'QUOTA_EXCEEDED'), 'a growing overwrite too');
    assert.deepEqual(store.totals(), before);
    assert.deepEqual(store.get(PEER, 'a'), bytes(KiB, 1), 'the previous data reads back identical');
    assert.deepEqual(store.get(PEER, 'b'), bytes(KiB, 2));
    assert.equal(store.has(PEER, 'c'), false);
    store.put(PEER, 'a', bytes(KiB, 5), quota); // same size: fits
    store.put('self', 'c', bytes(KiB, 3), quota); // other namespaces have their own usage
    assert.deepEqual(store.usage(PEER), { bytes: 2 * KiB, blocks: 2 });
  });

  test('admit is told each write\'s growth before anything changes, and can refuse it', () => {
    const store = new BlockStore({ capacityBytes: 1 << 20 });
    const seen: number[] = [];
    const admit = (growth: number) => void seen.push(growth);
    store.put(PEER, 'a', bytes(KiB, 1), { durability: 'pinned', admit });
    store.put(PEER, 'a', bytes(3 * KiB, 2), { durability: 'pinned', admit });
    store.put(PEER, 'a', bytes(2 * KiB, 3), { durability: 'cache', admit });
    assert.deepEqual(seen, [KiB, 2 * KiB, -KiB], 'a new block counts whole, a replacement only its difference');
    const before = store.totals();
    const refuse = (growth: number) => {
      throw new Error(`no room for ${growth}`);
    };
    assert.throws(() => store.put(PEER, 'b', bytes(KiB, 4), { durability: 'pinned', admit: refuse }), /no room for 1024/);
    assert.throws(() => store.put(PEER, 'a', bytes(4 * KiB, 5), { durability: 'pinned', admit: refuse }), /no room for 2048/);
    assert.deepEqual(store.totals(), before, 'a refused write changes nothing');
    assert.deepEqual(store.get(PEER, 'a'), bytes(2 * KiB, 3));
    assert.equal(store.has(PEER, 'b'), false);
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
    assert.deepEqual(store.usage(PEER), { bytes: 2 * KiB, blocks: 1 });
  });

  test('a namespace already over a lowered quota may still shrink its blocks', () => {
    const store = new BlockStore({ capacityBytes: 1 << 20 });
    store.put(PEER, 'a', bytes(3000), { durability: 'cache' });
    const tight = { durability: 'cache', quotaBytes: 1000 } as const;
    assert.throws(() => store.put(PEER, 'b', bytes(1), tight), (err) => isMemCloudError(err, 'QUOTA_EXCEEDED'));
    assert.equal(store.put(PEER, 'a', bytes(2000), tight).replacedBytes, 3000);
    assert.deepEqual(store.usage(PEER), { bytes: 2000, blocks: 1 });
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
    assert.throws(() => store.put('self', 'a', [1, 2] as unknown as Uint8Array, { durability: 'cache' }), bad);
    assert.throws(() => store.get('self', 'a/b'), bad);
    assert.throws(() => store.setCapacity(Number.NaN), bad);
    assert.equal(store.totals().blocks, 0);
    assert.equal(store.totals().capacityBytes, 1 << 20);
  });
});
