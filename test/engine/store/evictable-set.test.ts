import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { EvictableSet, SlotPositions } from '../../../engine/store/evictable-set';

/** Keys whose reads are counted: how many members the sampler examined. */
function countingKeys(keyOf: (slot: number) => number): { keys: ArrayLike<number>; reads: () => number } {
  let reads = 0;
  const keys = new Proxy({ length: Number.MAX_SAFE_INTEGER } as ArrayLike<number>, {
    get(target, prop) {
      if (typeof prop === 'string' && /^\d+$/.test(prop)) {
        reads++;
        return keyOf(Number(prop));
      }
      return Reflect.get(target, prop);
    },
  });
  return { keys, reads: () => reads };
}

/** A random() that walks a fixed list of values, counting calls. */
function scripted(values: number[]): { random: () => number; calls: () => number } {
  let calls = 0;
  return { random: () => values[calls++ % values.length]!, calls: () => calls };
}

describe('EvictableSet', () => {
  test('add, delete and has keep membership exact through swap-removes and growth', () => {
    const set = new EvictableSet();
    const model = new Set<number>();
    let seed = 7;
    const next = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (let i = 0; i < 20000; i++) {
      const slot = next() % 5000;
      if (next() % 3 === 0) assert.equal(set.delete(slot), model.delete(slot));
      else {
        set.add(slot);
        model.add(slot);
      }
    }
    assert.equal(set.size, model.size);
    for (let slot = 0; slot < 5100; slot++) assert.equal(set.has(slot), model.has(slot), `slot ${slot}`);
    set.add(3);
    set.add(3);
    assert.equal(set.size, model.size + (model.has(3) ? 0 : 1), 'adding twice counts once');
    assert.equal(set.delete(999_999), false);
  });

  test('sampling examines sampleSize members however large the set is', () => {
    const set = new EvictableSet();
    for (let slot = 0; slot < 100_000; slot++) set.add(slot);
    const { keys, reads } = countingKeys((slot) => slot);
    const { random, calls } = scripted([0.5, 0.1, 0.9, 0.3, 0.7]);
    const victim = set.pickOldest(keys, 5, random);
    assert.equal(reads(), 5);
    assert.equal(calls(), 5);
    assert.equal(victim, 10_000, 'the smallest key among the sampled members (0.1 * 100000)');
  });

  test('picks the least recently used of the sample, first one on ties', () => {
    const set = new EvictableSet();
    for (const slot of [10, 11, 12, 13, 14, 15, 16, 17, 18, 19]) set.add(slot);
    const lastAccess = new Float64Array(20);
    lastAccess.set([50, 40, 30, 20, 10, 60, 70, 80, 90, 5], 10);
    // members are [10..19] in insertion order; picks at indexes 0, 2, 5 -> slots 10, 12, 15
    assert.equal(set.pickOldest(lastAccess, 3, scripted([0, 0.2, 0.5]).random), 12);
    lastAccess[15] = 30;
    assert.equal(set.pickOldest(lastAccess, 3, scripted([0.5, 0.2, 0]).random), 15, 'tie between 15 and 12: first examined');
  });

  test('with no more members than sampleSize it is exact, without random()', () => {
    const set = new EvictableSet();
    const lastAccess = new Float64Array([9, 4, 7, 1, 8]);
    for (let slot = 0; slot < 5; slot++) set.add(slot);
    const { random, calls } = scripted([0]);
    assert.equal(set.pickOldest(lastAccess, 5, random), 3);
    assert.equal(calls(), 0);
    set.delete(3);
    assert.equal(set.pickOldest(lastAccess, 5, random), 1);
    assert.equal(new EvictableSet().pickOldest(lastAccess, 5, random), -1, 'empty set');
  });

  test('tolerates a random() that returns 1 or junk', () => {
    const set = new EvictableSet();
    for (let slot = 0; slot < 10; slot++) set.add(slot);
    const keys = Float64Array.from({ length: 10 }, (_, i) => 100 - i);
    assert.equal(set.pickOldest(keys, 2, scripted([1, 1]).random), 9);
    assert.equal(set.pickOldest(keys, 2, scripted([Number.NaN, -3]).random), 0);
  });

  test('sets of one family share a position array: membership stays exact in each', () => {
    const family = new SlotPositions();
    const sets = [new EvictableSet(family, 4), new EvictableSet(family, 4), new EvictableSet(family, 4)];
    const models = [new Set<number>(), new Set<number>(), new Set<number>()];
    const owner = new Map<number, number>(); // a slot is in at most one set of the family
    let seed = 11;
    const next = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (let i = 0; i < 20000; i++) {
      const slot = next() % 3000;
      const k = next() % 3;
      const at = owner.get(slot);
      if (at !== undefined && next() % 2 === 0) {
        assert.equal(sets[k]!.delete(slot), k === at, 'deleting through another set of the family does nothing');
        if (k === at) {
          models[k]!.delete(slot);
          owner.delete(slot);
        }
      } else if (at === undefined) {
        sets[k]!.add(slot);
        models[k]!.add(slot);
        owner.set(slot, k);
      }
    }
    for (let k = 0; k < 3; k++) {
      assert.equal(sets[k]!.size, models[k]!.size);
      for (let slot = 0; slot < 3100; slot++) assert.equal(sets[k]!.has(slot), models[k]!.has(slot), `set ${k} slot ${slot}`);
    }
  });
});
