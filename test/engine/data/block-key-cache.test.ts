// The sealer's cache of prepared blocks (engine/data/block-key-cache.ts): the least recently used
// replaced first (second chance), a hit only for the very block (id, parent and size), and
// everything zeroed on clear.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BlockKeyCache } from '../../../engine/data/block-key-cache';

const key = (k: string) => ({ kind: 'key', key: k }) as const;

describe('BlockKeyCache', () => {
  test('keeps the blocks used last: a full cache replaces the least recently used', () => {
    const c = new BlockKeyCache(2, 4);
    c.put('a', key('ka'), 10)!.fill(1);
    c.put('b', key('kb'), 10)!.fill(2);
    assert.deepEqual([...c.get('a', key('ka'), 10)!], [1, 1, 1, 1]);
    c.put('c', null, 5)!.fill(3); // b is the least recently used now
    assert.equal(c.get('b', key('kb'), 10), null);
    assert.deepEqual([...c.get('a', key('ka'), 10)!], [1, 1, 1, 1]);
    assert.deepEqual([...c.get('c', null, 5)!], [3, 3, 3, 3]);
    assert.equal(c.size, 2);
  });

  test('blocks read since they were last passed over are kept; the oldest unread one is replaced, and when all were read, the oldest', () => {
    const c = new BlockKeyCache(3, 1);
    for (const id of ['a', 'b', 'c']) c.put(id, null, 1)!.fill(id.charCodeAt(0));
    c.get('a', null, 1);
    c.get('b', null, 1);
    c.put('d', null, 1)!.fill(100);
    assert.equal(c.get('c', null, 1), null, 'c was the oldest not read');
    assert.deepEqual([...c.get('a', null, 1)!, ...c.get('b', null, 1)!, ...c.get('d', null, 1)!], [97, 98, 100]);
    // a, b and d all read now: each gets its second chance, then the oldest of them goes.
    c.put('e', null, 1)!.fill(101);
    assert.equal(c.get('a', null, 1), null);
    assert.deepEqual([...c.get('b', null, 1)!, ...c.get('d', null, 1)!, ...c.get('e', null, 1)!], [98, 100, 101]);
    assert.equal(c.size, 3);
  });

  test('a hit only for the same parent and size: another key, chunk, kind or size misses', () => {
    const c = new BlockKeyCache(8, 4);
    c.put('k', key('name'), 10)!.fill(7);
    c.put('s', { kind: 'stream', id: 'f'.repeat(32), index: 2 }, 10)!.fill(8);
    assert.equal(c.get('k', key('other'), 10), null);
    assert.equal(c.get('k', key('name'), 11), null);
    assert.equal(c.get('k', null, 10), null);
    assert.equal(c.get('s', { kind: 'stream', id: 'f'.repeat(32), index: 3 }, 10), null);
    assert.equal(c.get('s', { kind: 'stream', id: 'e'.repeat(32), index: 2 }, 10), null);
    assert.equal(c.get('s', key('name'), 10), null);
    assert.deepEqual([...c.get('k', key('name'), 10)!], [7, 7, 7, 7], 'an equal parent object hits');
    assert.deepEqual([...c.get('s', { kind: 'stream', id: 'f'.repeat(32), index: 2 }, 10)!], [8, 8, 8, 8]);
  });

  test('put for a block already kept reuses its room; clear zeroes every byte and forgets everything', () => {
    const c = new BlockKeyCache(4, 4);
    const first = c.put('a', null, 1)!;
    first.fill(9);
    const again = c.put('a', null, 1)!;
    assert.equal(again.byteOffset, first.byteOffset);
    assert.equal(c.size, 1);
    c.clear();
    assert.deepEqual([...first], [0, 0, 0, 0]);
    assert.equal(c.size, 0);
    assert.equal(c.get('a', null, 1), null);
  });

  test('long runs replace exactly as a second-chance queue would (reference model), across many wraps of the slots', () => {
    // The reference: a queue, oldest first; a hit marks; replacement moves marked ones to the back
    // unmarked and drops the first unmarked one. The cache must keep the same blocks with the same bytes.
    const capacity = 64;
    const c = new BlockKeyCache(capacity, 2);
    const queue: Array<{ id: string; used: boolean; byte: number }> = [];
    let seed = 7;
    const next = (n: number) => ((seed = (seed * 48271) % 2147483647), seed % n); // Park-Miller: exact in doubles
    let replaced = 0;
    for (let step = 0; step < 20_000; step++) {
      const id = `b${next(200)}`;
      const kept = queue.find((e) => e.id === id);
      const got = c.get(id, null, 1);
      if (kept !== undefined) {
        assert.deepEqual(got === null ? null : [...got], [kept.byte, kept.byte], `step ${step}: ${id} is kept`);
        kept.used = true;
        // Sometimes put again: it keeps its place, with a second chance.
        if (next(10) === 0) c.put(id, null, 1)!.fill(kept.byte);
        continue;
      }
      assert.equal(got, null, `step ${step}: ${id} should be gone`);
      if (next(5) === 0) {
        // Another block read between the miss and the put.
        const other = `b${next(200)}`;
        const otherKept = queue.find((e) => e.id === other);
        const otherGot = c.get(other, null, 1);
        assert.deepEqual(otherGot === null ? null : [...otherGot], otherKept === undefined ? null : [otherKept.byte, otherKept.byte], `step ${step}: ${other}`);
        if (otherKept !== undefined) otherKept.used = true;
        if (other === id) continue; // read twice, still missing: the next step may put it
      }
      if (queue.length === capacity) {
        replaced++;
        for (;;) {
          const oldest = queue.shift()!;
          if (!oldest.used) break;
          oldest.used = false;
          queue.push(oldest);
        }
      }
      const byte = step % 256;
      queue.push({ id, used: false, byte });
      c.put(id, null, 1)!.fill(byte);
      assert.equal(c.size, queue.length);
    }
    assert.ok(replaced > 50 * capacity, `the run wraps the slots many times (${replaced} replacements)`);
  });

  test('capacity 0 keeps nothing', () => {
    const c = new BlockKeyCache(0, 4);
    assert.equal(c.put('a', null, 1), null);
    assert.equal(c.get('a', null, 1), null);
  });
});
