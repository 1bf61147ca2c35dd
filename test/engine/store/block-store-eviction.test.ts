import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isMemCloudError } from '../../../engine/errors';
import { BlockStore, type EvictedBlock } from '../../../engine/store/block-store';

const KiB = 1024;
const PEER = 'cGVlci1vbmUtcHVibGljLWtleS10ZXh0LWZvcm0tMDA';

const bytes = (size: number, seed = 1): Uint8Array => Uint8Array.from({ length: size }, (_, i) => (seed * 31 + i * 7) & 0xff);

/** A fixed clock that the test moves, and a random() that walks a list and counts its calls. */
function fixture(values: number[] = [0]): { now: () => number; tick: () => void; random: () => number; randomCalls: () => number } {
  let t = 1_000;
  let calls = 0;
  return { now: () => t, tick: () => void t++, random: () => values[calls++ % values.length]!, randomCalls: () => calls };
}

const idsOf = (evicted: readonly EvictedBlock[]): string[] => evicted.map((e) => e.id);

describe('BlockStore eviction', () => {
  test('evicts the least recently used block of the sample; a recently read block survives', () => {
    const f = fixture([0, 0.45, 0.95]); // sample indexes 0, 4, 9 of 10 candidates
    const store = new BlockStore({ capacityBytes: 10 * KiB, sampleSize: 3, now: f.now, random: f.random });
    for (let i = 0; i < 10; i++, f.tick()) store.put('self', `b${i}`, bytes(KiB, i), { durability: 'cache' });
    store.get('self', 'b0'); // b0 was the oldest; now the newest
    f.tick();
    const result = store.put('self', 'n', bytes(KiB), { durability: 'cache' });
    assert.deepEqual(result.evicted, [{ ns: 'self', id: 'b4', size: KiB }], 'b0, b4, b9 sampled: b4 is least recently used');
    assert.equal(f.randomCalls(), 3);
    assert.equal(store.has('self', 'b0'), true);
    assert.deepEqual(store.get('self', 'b0'), bytes(KiB, 0));
    assert.equal(store.totals().evictions, 1);
    assert.equal(store.totals().usedBytes, 10 * KiB);
  });

  test('with sampleSize >= the number of cache blocks it is exact LRU', () => {
    const f = fixture();
    const seen: EvictedBlock[][] = [];
    const store = new BlockStore({ capacityBytes: 8 * KiB, sampleSize: 8, now: f.now, random: f.random, onEvict: (e) => seen.push([...e]) });
    for (let i = 0; i < 8; i++, f.tick()) store.put('self', `b${i}`, bytes(KiB, i), { durability: 'cache' });
    for (const id of ['b3', 'b0', 'b6', 'b1']) {
      store.get('self', id);
      f.tick();
    }
    const evicted: string[] = [];
    for (let i = 0; i < 6; i++, f.tick()) evicted.push(...idsOf(store.put('self', `n${i}`, bytes(KiB), { durability: 'cache' }).evicted));
    assert.deepEqual(evicted, ['b2', 'b4', 'b5', 'b7', 'b3', 'b0']);
    assert.equal(f.randomCalls(), 0, 'no sampling needed');
    assert.deepEqual(seen.flat().map((e) => e.id), evicted, 'onEvict saw the same blocks');
  });

  test('sampling examines sampleSize candidates, not the whole store', () => {
    const f = fixture([0.1, 0.9, 0.5, 0.3, 0.7]);
    const store = new BlockStore({ capacityBytes: 10_000 * 100, now: f.now, random: f.random });
    for (let i = 0; i < 10_000; i++) store.put('self', `b${i}`, bytes(100, i), { durability: 'cache' });
    assert.equal(f.randomCalls(), 0);
    assert.equal(store.put('self', 'one', bytes(100), { durability: 'cache' }).evicted.length, 1);
    assert.equal(f.randomCalls(), 5, 'default sampleSize 5: five picks for one eviction');
    assert.equal(store.put('self', 'ten', bytes(1000), { durability: 'cache' }).evicted.length, 10);
    assert.equal(f.randomCalls(), 55);
  });

  test('a cache write evicts other cache blocks to fit', () => {
    const f = fixture();
    const store = new BlockStore({ capacityBytes: 4 * KiB, sampleSize: 16, now: f.now, random: f.random });
    for (const id of ['a', 'b', 'c', 'd']) {
      store.put(id === 'a' ? PEER : 'self', id, bytes(KiB), { durability: 'cache' });
      f.tick();
    }
    const result = store.put('self', 'big', bytes(2 * KiB), { durability: 'cache' });
    assert.deepEqual(result.evicted, [{ ns: PEER, id: 'a', size: KiB }, { ns: 'self', id: 'b', size: KiB }], 'any namespace');
    assert.deepEqual(store.namespaces(), ['self']);
    assert.deepEqual(store.totals(), { usedBytes: 4 * KiB, capacityBytes: 4 * KiB, blocks: 3, pinnedBytes: 0, cacheBytes: 4 * KiB, evictions: 2 });
  });

  test('an overwrite never evicts the block it replaces', () => {
    const f = fixture();
    const store = new BlockStore({ capacityBytes: 4 * KiB, sampleSize: 16, now: f.now, random: f.random });
    for (const id of ['a', 'b', 'c', 'd']) {
      store.put('self', id, bytes(KiB), { durability: 'cache' });
      f.tick();
    }
    const result = store.put('self', 'a', bytes(2 * KiB, 5), { durability: 'cache' }); // 'a' is the LRU block
    assert.deepEqual(idsOf(result.evicted), ['b']);
    assert.equal(result.replacedBytes, KiB);
    assert.deepEqual(store.get('self', 'a'), bytes(2 * KiB, 5));
    assert.equal(store.totals().usedBytes, 4 * KiB);
  });

  test('evicting the last block of the namespace being written reopens it cleanly', () => {
    const store = new BlockStore({ capacityBytes: KiB });
    store.put(PEER, 'old', bytes(KiB), { durability: 'cache' });
    assert.deepEqual(idsOf(store.put(PEER, 'new', bytes(KiB, 2), { durability: 'pinned' }).evicted), ['old']);
    assert.deepEqual(store.namespaces(), [PEER]);
    assert.deepEqual(store.usage(PEER), { bytes: KiB, blocks: 1 });
    assert.deepEqual(store.get(PEER, 'new'), bytes(KiB, 2));
  });
});

describe('BlockStore pinned data and MEMORY_FULL', () => {
  test('pinned blocks are never evicted; MEMORY_FULL evicts nothing and changes nothing', () => {
    const f = fixture();
    const seen: EvictedBlock[] = [];
    const store = new BlockStore({ capacityBytes: 10 * KiB, now: f.now, random: f.random, onEvict: (e) => seen.push(...e) });
    for (let i = 0; i < 6; i++) store.put('self', `p${i}`, bytes(KiB, i), { durability: 'pinned' });
    for (let i = 0; i < 4; i++) store.put(PEER, `c${i}`, bytes(KiB, 10 + i), { durability: 'cache' });
    const before = store.totals();
    assert.throws(() => store.put('self', 'huge', bytes(5 * KiB), { durability: 'pinned' }), (err) => {
      assert.ok(isMemCloudError(err, 'MEMORY_FULL'));
      assert.match(err.message, /6 KiB pinned of 10 KiB/);
      assert.match(err.message, /5 KiB/);
      return true;
    });
    assert.throws(() => store.put('self', 'huge', bytes(11 * KiB), { durability: 'cache' }), (err) => isMemCloudError(err, 'MEMORY_FULL'));
    assert.deepEqual(store.totals(), before);
    assert.deepEqual(seen, []);
    for (let i = 0; i < 4; i++) assert.deepEqual(store.get(PEER, `c${i}`), bytes(KiB, 10 + i), 'no cache block was evicted');

    const fill = store.put('self', 'p6', bytes(4 * KiB), { durability: 'pinned' });
    assert.equal(fill.evicted.length, 4, 'every cache block went; no pinned one');
    for (let i = 0; i < 6; i++) assert.deepEqual(store.get('self', `p${i}`), bytes(KiB, i));
    assert.throws(() => store.put(PEER, 'c9', bytes(1), { durability: 'cache' }), (err) => isMemCloudError(err, 'MEMORY_FULL'));
    assert.deepEqual(store.totals(), { usedBytes: 10 * KiB, capacityBytes: 10 * KiB, blocks: 7, pinnedBytes: 10 * KiB, cacheBytes: 0, evictions: 4 });
  });

  test('setCapacity shrinks by evicting cache blocks; pinned data stays even over capacity', () => {
    const f = fixture();
    const store = new BlockStore({ capacityBytes: 10 * KiB, sampleSize: 16, now: f.now, random: f.random });
    for (let i = 0; i < 3; i++, f.tick()) store.put('self', `p${i}`, bytes(KiB), { durability: 'pinned' });
    for (let i = 0; i < 5; i++, f.tick()) store.put('self', `c${i}`, bytes(KiB), { durability: 'cache' });
    assert.deepEqual(store.setCapacity(20 * KiB), []);
    assert.deepEqual(idsOf(store.setCapacity(5 * KiB)), ['c0', 'c1', 'c2']);
    assert.equal(store.totals().usedBytes, 5 * KiB);
    assert.deepEqual(idsOf(store.setCapacity(2 * KiB)), ['c3', 'c4']);
    assert.deepEqual(store.totals(), { usedBytes: 3 * KiB, capacityBytes: 2 * KiB, blocks: 3, pinnedBytes: 3 * KiB, cacheBytes: 0, evictions: 5 });
    assert.throws(() => store.put('self', 'x', bytes(1), { durability: 'cache' }), (err) => isMemCloudError(err, 'MEMORY_FULL'));
    assert.equal(store.put('self', 'p2', bytes(KiB, 3), { durability: 'pinned' }).replacedBytes, KiB, 'a same-size overwrite still works');
    assert.equal(store.put('self', 'p0', bytes(10), { durability: 'pinned' }).replacedBytes, KiB, 'so does a shrinking one');
    assert.equal(store.delete('self', 'p1'), true);
    assert.equal(store.totals().usedBytes, KiB + 10);
  });
});

describe('BlockStore against a reference model', () => {
  interface ModelBlock { size: number; seed: number; cache: boolean; last: number }

  test('random operations keep accounting, contents and exact-LRU eviction identical to the model', () => {
    let t = 0;
    let capacity = 40_000;
    const store = new BlockStore({ capacityBytes: capacity, sampleSize: 1024, now: () => t });
    const model = new Map<string, Map<string, ModelBlock>>();
    const all = (): Array<[string, string, ModelBlock]> => [...model].flatMap(([ns, m]) => [...m].map(([id, b]) => [ns, id, b] as [string, string, ModelBlock]));
    const sum = (pred: (b: ModelBlock) => boolean): number => all().reduce((s, [, , b]) => s + (pred(b) ? b.size : 0), 0);
    const drop = (ns: string, id: string): void => {
      model.get(ns)!.delete(id);
      if (model.get(ns)!.size === 0) model.delete(ns);
    };
    const evictModel = (target: number): string[] => {
      const out: string[] = [];
      while (sum(() => true) > target) {
        const candidates = all().filter(([, , b]) => b.cache).sort((x, y) => x[2].last - y[2].last);
        if (candidates.length === 0) break;
        const [ns, id] = candidates[0]!;
        drop(ns, id);
        out.push(`${ns}/${id}`);
      }
      return out;
    };
    let seed = 12345;
    const rand = (n: number): number => { // mulberry32
      seed = (seed + 0x6d2b79f5) | 0;
      let x = Math.imul(seed ^ (seed >>> 15), seed | 1);
      x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
      return Math.floor((((x ^ (x >>> 14)) >>> 0) / 2 ** 32) * n);
    };
    const spaces = ['self', PEER, 'peer-two'];
    const outcomes: Record<string, number> = {};

    for (let step = 0; step < 4000; step++) {
      t++;
      const ns = spaces[rand(3)]!;
      const id = `k${rand(40)}`;
      const op = rand(1000);
      if (op < 650) {
        const size = rand(1500);
        const cache = rand(3) > 0;
        const quota = rand(4) === 0 ? 15_000 : undefined;
        const old = model.get(ns)?.get(id);
        const growth = size - (old?.size ?? 0);
        const nsBytes = [...(model.get(ns)?.values() ?? [])].reduce((s, b) => s + b.size, 0);
        const pinnedOthers = sum((b) => !b.cache) - (old && !old.cache ? old.size : 0);
        const mustEvict = growth > 0 && sum(() => true) + growth > capacity;
        let expected: string | string[];
        if (quota !== undefined && growth > 0 && nsBytes + growth > quota) expected = 'QUOTA_EXCEEDED';
        else if (mustEvict && pinnedOthers + size > capacity) expected = 'MEMORY_FULL';
        else {
          if (old) drop(ns, id);
          expected = mustEvict ? evictModel(capacity - size) : [];
          if (!model.has(ns)) model.set(ns, new Map());
          model.get(ns)!.set(id, { size, seed: step, cache, last: t });
        }
        const kind = typeof expected === 'string' ? expected : expected.length > 0 ? 'evicted' : 'ok';
        outcomes[kind] = (outcomes[kind] ?? 0) + 1;
        try {
          const result = store.put(ns, id, bytes(size, step), { durability: cache ? 'cache' : 'pinned', quotaBytes: quota });
          assert.deepEqual(result.evicted.map((e) => `${e.ns}/${e.id}`), expected, `step ${step}`);
        } catch (err) {
          assert.ok(isMemCloudError(err), String(err));
          assert.equal(err.code, expected, `step ${step}`);
        }
      } else if (op < 900) {
        const block = model.get(ns)?.get(id);
        if (block) block.last = t;
        const got = store.get(ns, id);
        assert.equal(got === undefined, block === undefined, `step ${step}`);
        if (block) assert.deepEqual(got, bytes(block.size, block.seed));
      } else if (op < 985) {
        const had = model.get(ns)?.has(id) ?? false;
        if (had) drop(ns, id);
        assert.equal(store.delete(ns, id), had);
      } else if (op < 988) {
        const m = model.get(ns);
        const expected = { blocks: m?.size ?? 0, bytes: [...(m?.values() ?? [])].reduce((s, b) => s + b.size, 0) };
        model.delete(ns);
        assert.deepEqual(store.flush(ns), expected);
      } else {
        capacity = 20_000 + rand(40_000);
        const expected = sum(() => true) > capacity ? evictModel(capacity) : [];
        assert.deepEqual(store.setCapacity(capacity).map((e) => `${e.ns}/${e.id}`), expected, `step ${step}`);
      }
      const totals = store.totals();
      assert.equal(totals.pinnedBytes, sum((b) => !b.cache), `step ${step}`);
      assert.equal(totals.cacheBytes, sum((b) => b.cache), `step ${step}`);
      assert.equal(totals.blocks, all().length);
      assert.deepEqual(store.namespaces().sort(), [...model.keys()].sort());
      for (const space of spaces) {
        const m = model.get(space);
        assert.deepEqual(store.usage(space), { bytes: [...(m?.values() ?? [])].reduce((s, b) => s + b.size, 0), blocks: m?.size ?? 0 });
      }
    }
    for (const kind of ['ok', 'evicted', 'QUOTA_EXCEEDED', 'MEMORY_FULL']) assert.ok((outcomes[kind] ?? 0) > 50, `the run exercised ${kind}`);
  });
});
