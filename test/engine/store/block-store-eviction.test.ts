import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isMemCloudError } from '../../../engine/errors';
import { BLOCK_OVERHEAD_BYTES } from '../../../engine/store/block-cost';
import { BlockStore, LIST_SCAN_SLOTS, type EvictedBlock } from '../../../engine/store/block-store';

const KiB = 1024;
const O = BLOCK_OVERHEAD_BYTES;
/** What n blocks of `size` data bytes are charged together. */
const c = (size: number, n = 1): number => n * (size + O);
const PEER = 'cGVlci1vbmUtcHVibGljLWtleS10ZXh0LWZvcm0tMDA';
const PEER2 = 'cGVlci10d28tcHVibGljLWtleS10ZXh0LWZvcm0tMDA';

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
    const store = new BlockStore({ capacityBytes: c(KiB, 10), sampleSize: 3, now: f.now, random: f.random });
    for (let i = 0; i < 10; i++, f.tick()) store.put('self', `b${i}`, bytes(KiB, i), { durability: 'cache' });
    store.get('self', 'b0'); // b0 was the oldest; now the newest
    f.tick();
    const result = store.put('self', 'n', bytes(KiB), { durability: 'cache' });
    assert.deepEqual(result.evicted, [{ ns: 'self', id: 'b4', size: KiB }], 'b0, b4, b9 sampled: b4 is least recently used');
    assert.equal(f.randomCalls(), 3);
    assert.equal(store.has('self', 'b0'), true);
    assert.deepEqual(store.get('self', 'b0'), bytes(KiB, 0));
    assert.equal(store.totals().evictions, 1);
    assert.equal(store.totals().usedBytes, c(KiB, 10));
  });

  test('with sampleSize >= the number of cache blocks it is exact LRU', () => {
    const f = fixture();
    const seen: EvictedBlock[][] = [];
    const store = new BlockStore({ capacityBytes: c(KiB, 8), sampleSize: 8, now: f.now, random: f.random, onEvict: (e) => seen.push([...e]) });
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
    const store = new BlockStore({ capacityBytes: c(100, 10_000), now: f.now, random: f.random });
    for (let i = 0; i < 10_000; i++) store.put('self', `b${i}`, bytes(100, i), { durability: 'cache' });
    assert.equal(f.randomCalls(), 0);
    assert.equal(store.put('self', 'one', bytes(100), { durability: 'cache' }).evicted.length, 1);
    assert.equal(f.randomCalls(), 5, 'default sampleSize 5: five picks for one eviction');
    assert.equal(store.put('self', 'two', bytes(c(100, 2) - O), { durability: 'cache' }).evicted.length, 2);
    assert.equal(f.randomCalls(), 15);
  });

  test('a cache write evicts other cache blocks to fit', () => {
    const f = fixture();
    const store = new BlockStore({ capacityBytes: c(KiB, 4), sampleSize: 16, now: f.now, random: f.random });
    for (const id of ['a', 'b', 'c', 'd']) {
      store.put(id === 'a' ? PEER : 'self', id, bytes(KiB), { durability: 'cache' });
      f.tick();
    }
    const result = store.put('self', 'big', bytes(2 * KiB + O), { durability: 'cache' });
    assert.deepEqual(result.evicted, [{ ns: PEER, id: 'a', size: KiB }, { ns: 'self', id: 'b', size: KiB }], 'any namespace');
    assert.deepEqual(store.namespaces(), ['self']);
    assert.deepEqual(store.totals(), {
      usedBytes: c(KiB, 4), capacityBytes: c(KiB, 4), blocks: 3, pinnedBytes: 0, cacheBytes: c(KiB, 4), evictions: 2,
      peerUsedBytes: 0, peerPinnedBytes: 0, peerCapacityBytes: c(KiB, 4),
    });
  });

  test('an overwrite never evicts the block it replaces', () => {
    const f = fixture();
    const store = new BlockStore({ capacityBytes: c(KiB, 4), sampleSize: 16, now: f.now, random: f.random });
    for (const id of ['a', 'b', 'c', 'd']) {
      store.put('self', id, bytes(KiB), { durability: 'cache' });
      f.tick();
    }
    const result = store.put('self', 'a', bytes(2 * KiB + O, 5), { durability: 'cache' }); // 'a' is the LRU block
    assert.deepEqual(idsOf(result.evicted), ['b']);
    assert.equal(result.replacedBytes, KiB);
    assert.deepEqual(store.get('self', 'a'), bytes(2 * KiB + O, 5));
    assert.equal(store.totals().usedBytes, c(KiB, 4));
  });

  test('evicting the last block of the namespace being written reopens it cleanly', () => {
    const store = new BlockStore({ capacityBytes: c(KiB) });
    store.put(PEER, 'old', bytes(KiB), { durability: 'cache' });
    assert.deepEqual(idsOf(store.put(PEER, 'new', bytes(KiB, 2), { durability: 'pinned' }).evicted), ['old']);
    assert.deepEqual(store.namespaces(), [PEER]);
    assert.deepEqual(store.usage(PEER), { bytes: c(KiB), blocks: 1 });
    assert.deepEqual(store.get(PEER, 'new'), bytes(KiB, 2));
  });
});

describe('BlockStore pinned data and MEMORY_FULL', () => {
  test('pinned blocks are never evicted; MEMORY_FULL evicts nothing and changes nothing', () => {
    const f = fixture();
    const seen: EvictedBlock[] = [];
    const store = new BlockStore({ capacityBytes: c(KiB, 10), now: f.now, random: f.random, onEvict: (e) => seen.push(...e) });
    for (let i = 0; i < 6; i++) store.put('self', `p${i}`, bytes(KiB, i), { durability: 'pinned' });
    for (let i = 0; i < 4; i++) store.put(PEER, `c${i}`, bytes(KiB, 10 + i), { durability: 'cache' });
    const before = store.totals();
    assert.throws(() => store.put('self', 'huge', bytes(4 * KiB + 4 * O + 1), { durability: 'pinned' }), (err) => {
      assert.ok(isMemCloudError(err, 'MEMORY_FULL'));
      assert.match(err.message, /memory full: 9 KiB pinned of 15 KiB/);
      assert.match(err.message, /this block needs 6\.5 KiB/);
      return true;
    });
    assert.throws(() => store.put('self', 'huge', bytes(c(KiB, 10)), { durability: 'cache' }), (err) => isMemCloudError(err, 'MEMORY_FULL'));
    assert.deepEqual(store.totals(), before);
    assert.deepEqual(seen, []);
    for (let i = 0; i < 4; i++) assert.deepEqual(store.get(PEER, `c${i}`), bytes(KiB, 10 + i), 'no cache block was evicted');

    const fill = store.put('self', 'p6', bytes(4 * KiB + 3 * O), { durability: 'pinned' });
    assert.equal(fill.evicted.length, 4, 'every cache block went; no pinned one');
    for (let i = 0; i < 6; i++) assert.deepEqual(store.get('self', `p${i}`), bytes(KiB, i));
    assert.throws(() => store.put(PEER, 'c9', bytes(0), { durability: 'cache' }), (err) => isMemCloudError(err, 'MEMORY_FULL'));
    assert.deepEqual(store.totals(), {
      usedBytes: c(KiB, 10), capacityBytes: c(KiB, 10), blocks: 7, pinnedBytes: c(KiB, 10), cacheBytes: 0, evictions: 4,
      peerUsedBytes: 0, peerPinnedBytes: 0, peerCapacityBytes: c(KiB, 10),
    });
  });

  test('setCapacity shrinks by evicting cache blocks; pinned data stays even over capacity', () => {
    const f = fixture();
    const store = new BlockStore({ capacityBytes: c(KiB, 10), sampleSize: 16, now: f.now, random: f.random });
    for (let i = 0; i < 3; i++, f.tick()) store.put('self', `p${i}`, bytes(KiB), { durability: 'pinned' });
    for (let i = 0; i < 5; i++, f.tick()) store.put('self', `c${i}`, bytes(KiB), { durability: 'cache' });
    assert.deepEqual(store.setCapacity(c(KiB, 20)), []);
    assert.deepEqual(idsOf(store.setCapacity(c(KiB, 5))), ['c0', 'c1', 'c2']);
    assert.equal(store.totals().usedBytes, c(KiB, 5));
    assert.deepEqual(idsOf(store.setCapacity(c(KiB, 2))), ['c3', 'c4']);
    assert.deepEqual(store.totals(), {
      usedBytes: c(KiB, 3), capacityBytes: c(KiB, 2), blocks: 3, pinnedBytes: c(KiB, 3), cacheBytes: 0, evictions: 5,
      peerUsedBytes: 0, peerPinnedBytes: 0, peerCapacityBytes: c(KiB, 10),
    });
    assert.throws(() => store.put('self', 'x', bytes(1), { durability: 'cache' }), (err) => isMemCloudError(err, 'MEMORY_FULL'));
    assert.equal(store.put('self', 'p2', bytes(KiB, 3), { durability: 'pinned' }).replacedBytes, KiB, 'a same-size overwrite still works');
    assert.equal(store.put('self', 'p0', bytes(10), { durability: 'pinned' }).replacedBytes, KiB, 'so does a shrinking one');
    assert.equal(store.delete('self', 'p1'), true);
    assert.equal(store.totals().usedBytes, c(KiB) + c(10));
  });
});

describe('BlockStore peer capacity (what the node lends) and quotas', () => {
  test('a full offer evicts the least recently used cache blocks of any owner, never this node\'s own', () => {
    const f = fixture();
    const store = new BlockStore({ capacityBytes: c(KiB, 100), peerCapacityBytes: c(KiB, 4), sampleSize: 16, now: f.now, random: f.random });
    store.put('self', 'mine', bytes(KiB), { durability: 'cache' }); // oldest of all, but not lent
    f.tick();
    for (const [ns, id] of [[PEER, 'a'], [PEER2, 'b'], [PEER, 'c'], [PEER2, 'd']] as const) {
      store.put(ns, id, bytes(KiB), { durability: 'cache', quotaBytes: c(KiB, 4) });
      f.tick();
    }
    store.get(PEER, 'a'); // now the most recently used
    f.tick();
    const r = store.put(PEER2, 'e', bytes(2 * KiB + O), { durability: 'pinned', quotaBytes: c(KiB, 4) });
    assert.deepEqual(r.evicted, [{ ns: PEER2, id: 'b', size: KiB }, { ns: PEER, id: 'c', size: KiB }]);
    assert.equal(store.has('self', 'mine'), true);
    assert.equal(store.has(PEER, 'a'), true);
    assert.equal(store.totals().peerUsedBytes, c(KiB, 4));
  });

  test('when only pinned blocks fill the offer the write is refused with MEMORY_FULL and nothing is evicted', () => {
    const seen: EvictedBlock[] = [];
    const store = new BlockStore({ capacityBytes: c(KiB, 100), peerCapacityBytes: c(KiB, 4), onEvict: (e) => seen.push(...e) });
    for (let i = 0; i < 3; i++) store.put(PEER, `p${i}`, bytes(KiB), { durability: 'pinned' });
    store.put(PEER2, 'c', bytes(KiB), { durability: 'cache' });
    assert.throws(() => store.put(PEER2, 'x', bytes(KiB + 1), { durability: 'cache' }), (err) => {
      assert.ok(isMemCloudError(err, 'MEMORY_FULL'));
      assert.match(err.message, /no room: pinned blocks of peers take 4\.5 KiB of the 6 KiB this node lends; this block needs 1\.5 KiB/);
      return true;
    });
    assert.deepEqual(seen, []);
    assert.equal(store.has(PEER2, 'c'), true);
    assert.deepEqual(idsOf(store.put(PEER2, 'x', bytes(KiB), { durability: 'pinned' }).evicted), ['c'], 'exactly the room of the cache block');
  });

  test('a namespace at its quota evicts its own least recently used cache blocks, not another\'s', () => {
    const f = fixture();
    const store = new BlockStore({ capacityBytes: c(KiB, 100), sampleSize: 16, now: f.now, random: f.random });
    const quota = { quotaBytes: c(KiB, 3) } as const;
    store.put(PEER2, 'other', bytes(KiB), { durability: 'cache' }); // the oldest block of the store
    f.tick();
    for (const id of ['a', 'b', 'c']) {
      store.put(PEER, id, bytes(KiB), { durability: 'cache', ...quota });
      f.tick();
    }
    const r = store.put(PEER, 'd', bytes(KiB), { durability: 'cache', ...quota });
    assert.deepEqual(idsOf(r.evicted), ['a']);
    assert.equal(store.has(PEER2, 'other'), true);
    assert.deepEqual(store.usage(PEER), { bytes: c(KiB, 3), blocks: 3 });
  });

  test('setPeerCapacity: a smaller offer evicts peers\' cache blocks down to it; pinned ones stay', () => {
    const f = fixture();
    const store = new BlockStore({ capacityBytes: c(KiB, 100), peerCapacityBytes: c(KiB, 10), sampleSize: 16, now: f.now, random: f.random });
    store.put('self', 's', bytes(KiB), { durability: 'cache' });
    for (let i = 0; i < 2; i++, f.tick()) store.put(PEER, `p${i}`, bytes(KiB), { durability: 'pinned' });
    for (let i = 0; i < 4; i++, f.tick()) store.put(PEER2, `c${i}`, bytes(KiB), { durability: 'cache' });
    assert.deepEqual(idsOf(store.setPeerCapacity(c(KiB, 4))), ['c0', 'c1']);
    assert.deepEqual(idsOf(store.setPeerCapacity(c(KiB, 1))), ['c2', 'c3']);
    assert.equal(store.totals().peerUsedBytes, c(KiB, 2), 'pinned blocks stay over the new offer');
    assert.equal(store.totals().peerCapacityBytes, c(KiB, 1));
    assert.equal(store.has('self', 's'), true);
    assert.throws(() => store.put(PEER, 'n', bytes(0), { durability: 'cache' }), (err) => isMemCloudError(err, 'MEMORY_FULL'));
  });
});

describe('BlockStore listPage', () => {
  test('pages list every block of the namespace exactly once, and only its blocks', () => {
    const store = new BlockStore({ capacityBytes: 1 << 30 });
    const mine = new Set<string>();
    for (let i = 0; i < 3000; i++) {
      const ns = i % 3 === 0 ? PEER : i % 3 === 1 ? PEER2 : 'self';
      store.put(ns, `b${i}`, bytes(0), { durability: 'pinned' });
      if (ns === PEER) mine.add(`b${i}`);
    }
    for (let i = 0; i < 3000; i += 7) if (store.delete(PEER, `b${i}`)) mine.delete(`b${i}`); // holes
    const seen: string[] = [];
    let cursor = 0;
    let pages = 0;
    do {
      const page = store.listPage(PEER, cursor, 100);
      assert.ok(page.ids.length <= 100);
      seen.push(...page.ids);
      assert.ok(page.next === 0 || page.next > cursor, 'the cursor moves forward');
      cursor = page.next;
      pages++;
    } while (cursor !== 0);
    assert.equal(seen.length, mine.size, 'no id twice');
    assert.deepEqual(new Set(seen), mine);
    assert.ok(pages >= mine.size / 100);
    assert.deepEqual(store.listPage(PEER, 0, 5000), { ids: store.ids(PEER), next: 0 }, 'a namespace that fits one page is one page');
    assert.deepEqual(store.listPage('nobody', 0, 10), { ids: [], next: 0 });
    assert.deepEqual(store.listPage(PEER, 1e9, 10), { ids: [], next: 0 }, 'a cursor past the end ends the listing');
  });

  test('blocks present for the whole listing are listed while others come and go', () => {
    const store = new BlockStore({ capacityBytes: 1 << 30 });
    for (let i = 0; i < 500; i++) store.put(PEER, `keep${i}`, bytes(1), { durability: 'pinned' });
    for (let i = 0; i < 500; i++) store.put(PEER, `churn${i}`, bytes(1), { durability: 'pinned' });
    const seen = new Set<string>();
    let cursor = 0;
    let round = 0;
    do {
      const page = store.listPage(PEER, cursor, 50);
      for (const id of page.ids) {
        assert.ok(!seen.has(id), `${id} listed twice`);
        seen.add(id);
      }
      cursor = page.next;
      // Between pages: delete some churn blocks and store new ones (they may reuse freed slots).
      for (let k = 0; k < 20; k++) store.delete(PEER, `churn${(round * 20 + k) % 500}`);
      for (let k = 0; k < 20; k++) store.put(PEER, `new${round}-${k}`, bytes(1), { durability: 'pinned' });
      round++;
    } while (cursor !== 0);
    for (let i = 0; i < 500; i++) assert.ok(seen.has(`keep${i}`), `keep${i} listed`);
  });

  test('one page examines a bounded number of slots: a sparse namespace takes several empty pages', () => {
    const store = new BlockStore({ capacityBytes: 1 << 30 });
    const n = LIST_SCAN_SLOTS + 10;
    store.put(PEER, 'first', bytes(0), { durability: 'pinned' });
    for (let i = 0; i < n; i++) store.put('self', `s${i}`, bytes(0), { durability: 'pinned' });
    store.put(PEER, 'last', bytes(0), { durability: 'pinned' });
    store.put(PEER, 'more', bytes(0), { durability: 'pinned' });
    store.put('self', 'tail', bytes(0), { durability: 'pinned' });
    const p1 = store.listPage(PEER, 0, 2);
    assert.deepEqual(p1.ids, ['first']);
    assert.equal(p1.next, LIST_SCAN_SLOTS, 'stopped after LIST_SCAN_SLOTS slots');
    const p2 = store.listPage(PEER, p1.next, 2);
    assert.deepEqual(p2.ids, ['last', 'more']);
    assert.notEqual(p2.next, 0, 'a full page does not claim the end');
    assert.deepEqual(store.listPage(PEER, p2.next, 2), { ids: [], next: 0 });
  });
});

describe('BlockStore against a reference model', () => {
  interface ModelBlock { size: number; seed: number; cache: boolean; last: number }

  test('random operations keep accounting, contents and exact-LRU eviction identical to the model', () => {
    let t = 0;
    let capacity = 60_000;
    let peerCapacity = 40_000;
    const store = new BlockStore({ capacityBytes: capacity, peerCapacityBytes: peerCapacity, sampleSize: 1024, now: () => t });
    const model = new Map<string, Map<string, ModelBlock>>();
    type Entry = [string, string, ModelBlock];
    const all = (): Entry[] => [...model].flatMap(([ns, m]) => [...m].map(([id, b]) => [ns, id, b] as Entry));
    const charged = (entries: Entry[], pred: (b: ModelBlock) => boolean = () => true): number =>
      entries.reduce((sum, [, , b]) => sum + (pred(b) ? c(b.size) : 0), 0);
    const of = (ns: string): Entry[] => all().filter((e) => e[0] === ns);
    const peers = (): Entry[] => all().filter((e) => e[0] !== 'self');
    const drop = (ns: string, id: string): void => {
      model.get(ns)!.delete(id);
      if (model.get(ns)!.size === 0) model.delete(ns);
    };
    /** Evicts the least recently used cache block of `entries()` while `over()`; returns "ns/id"s. */
    const evictWhile = (entries: () => Entry[], over: () => boolean, out: string[]): void => {
      while (over()) {
        const candidates = entries().filter(([, , b]) => b.cache).sort((x, y) => x[2].last - y[2].last);
        if (candidates.length === 0) return;
        const [ns, id] = candidates[0]!;
        drop(ns, id);
        out.push(`${ns}/${id}`);
      }
    };
    let seed = 12345;
    const rand = (n: number): number => { // mulberry32
      seed = (seed + 0x6d2b79f5) | 0;
      let x = Math.imul(seed ^ (seed >>> 15), seed | 1);
      x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
      return Math.floor((((x ^ (x >>> 14)) >>> 0) / 2 ** 32) * n);
    };
    const spaces = ['self', PEER, PEER2];
    const outcomes: Record<string, number> = {};

    for (let step = 0; step < 5000; step++) {
      t++;
      const ns = spaces[rand(3)]!;
      const id = `k${rand(40)}`;
      const op = rand(1000);
      if (op < 650) {
        const size = rand(4) === 0 ? 0 : rand(1500);
        const cache = rand(3) > 0;
        const quota = rand(4) === 0 ? 15_000 : undefined;
        const maxBlocks = rand(5) === 0 ? 8 : undefined;
        const old = model.get(ns)?.get(id);
        const charge = c(size);
        const grows = charge > (old ? c(old.size) : 0);
        const replacedPinned = old && !old.cache ? c(old.size) : 0;
        const pinnedBlocks = of(ns).filter(([, , b]) => !b.cache).length;
        let expected: string | string[];
        if (!old && maxBlocks !== undefined && pinnedBlocks + 1 > maxBlocks) expected = 'QUOTA_EXCEEDED';
        else if (grows && quota !== undefined && charged(of(ns), (b) => !b.cache) - replacedPinned + charge > quota) expected = 'QUOTA_EXCEEDED';
        else if (grows && ns !== 'self' && charged(peers(), (b) => !b.cache) - replacedPinned + charge > peerCapacity) expected = 'MEMORY_FULL';
        else if (grows && charged(all(), (b) => !b.cache) - replacedPinned + charge > capacity) expected = 'MEMORY_FULL';
        else {
          if (old) drop(ns, id);
          const out: string[] = [];
          // A write that does not grow its namespace and stays under its block cap evicts nothing.
          if (grows || (!old && of(ns).length + 1 > (maxBlocks ?? Infinity))) evictWhile(() => of(ns), () => charged(of(ns)) + charge > (quota ?? Infinity) || (!old && of(ns).length + 1 > (maxBlocks ?? Infinity)), out);
          if (grows && ns !== 'self') evictWhile(peers, () => charged(peers()) + charge > peerCapacity, out);
          if (grows) evictWhile(all, () => charged(all()) + charge > capacity, out);
          expected = out;
          if (!model.has(ns)) model.set(ns, new Map());
          model.get(ns)!.set(id, { size, seed: step, cache, last: t });
        }
        const kind = typeof expected === 'string' ? expected : expected.length > 0 ? 'evicted' : 'ok';
        outcomes[kind] = (outcomes[kind] ?? 0) + 1;
        try {
          const result = store.put(ns, id, bytes(size, step), { durability: cache ? 'cache' : 'pinned', quotaBytes: quota, maxBlocks });
          assert.deepEqual(result.evicted.map((e) => `${e.ns}/${e.id}`), expected, `step ${step}`);
        } catch (err) {
          assert.ok(isMemCloudError(err), String(err));
          assert.equal(err.code, expected, `step ${step}: ${err.message}`);
        }
      } else if (op < 900) {
        const block = model.get(ns)?.get(id);
        if (block) block.last = t;
        const got = store.get(ns, id);
        assert.equal(got === undefined, block === undefined, `step ${step}`);
        if (block) assert.deepEqual(got, bytes(block.size, block.seed));
      } else if (op < 980) {
        const had = model.get(ns)?.has(id) ?? false;
        if (had) drop(ns, id);
        assert.equal(store.delete(ns, id), had);
      } else if (op < 983) {
        const expected = { blocks: of(ns).length, bytes: charged(of(ns)) };
        model.delete(ns);
        assert.deepEqual(store.flush(ns), expected);
      } else if (op < 992) {
        capacity = 30_000 + rand(50_000);
        const out: string[] = [];
        evictWhile(all, () => charged(all()) > capacity, out);
        assert.deepEqual(store.setCapacity(capacity).map((e) => `${e.ns}/${e.id}`), out, `step ${step}`);
      } else {
        peerCapacity = 10_000 + rand(40_000);
        const out: string[] = [];
        evictWhile(peers, () => charged(peers()) > peerCapacity, out);
        assert.deepEqual(store.setPeerCapacity(peerCapacity).map((e) => `${e.ns}/${e.id}`), out, `step ${step}`);
      }
      const totals = store.totals();
      assert.equal(totals.pinnedBytes, charged(all(), (b) => !b.cache), `step ${step}`);
      assert.equal(totals.cacheBytes, charged(all(), (b) => b.cache), `step ${step}`);
      assert.equal(totals.peerUsedBytes, charged(peers()), `step ${step}`);
      assert.equal(totals.peerPinnedBytes, charged(peers(), (b) => !b.cache), `step ${step}`);
      assert.equal(totals.blocks, all().length);
      assert.deepEqual(store.namespaces().sort(), [...model.keys()].sort());
      for (const space of spaces) assert.deepEqual(store.usage(space), { bytes: charged(of(space)), blocks: of(space).length });
    }
    for (const kind of ['ok', 'evicted', 'QUOTA_EXCEEDED', 'MEMORY_FULL']) assert.ok((outcomes[kind] ?? 0) > 50, `the run exercised ${kind}: ${JSON.stringify(outcomes)}`);
  });
});
