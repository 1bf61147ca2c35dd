// Sets of evictable (cache-durability) block slots, built for sampled LRU eviction.
//
// Members sit in a dense array; each slot remembers its position, so add and remove are O(1)
// (remove swaps the last member into the hole) and a uniformly random member is one array read.
// Picking a victim therefore examines `sampleSize` members, never the whole set.
//
// Several sets may share one SlotPositions (a family) when every slot is in at most one of them at
// a time, e.g. one set per namespace: the store then keeps one position array per family rather
// than one per set.

const NOT_MEMBER = -1;

/** Position of each slot within the set of its family that holds it, or NOT_MEMBER. */
export class SlotPositions {
  array = new Int32Array(1024).fill(NOT_MEMBER);

  ensure(slot: number): Int32Array {
    if (slot >= this.array.length) {
      const old = this.array.length;
      this.array = grown(this.array, slot + 1);
      this.array.fill(NOT_MEMBER, old);
    }
    return this.array;
  }
}

export class EvictableSet {
  private members: Int32Array;
  private count = 0;

  constructor(
    private readonly positions: SlotPositions = new SlotPositions(),
    initialCapacity = 1024,
  ) {
    this.members = new Int32Array(initialCapacity);
  }

  get size(): number {
    return this.count;
  }

  has(slot: number): boolean {
    const p = this.positions.array;
    if (slot >= p.length) return false;
    const at = p[slot]!;
    return at !== NOT_MEMBER && at < this.count && this.members[at] === slot;
  }

  /** Adds a slot; within a family, a slot must not be in another set already. */
  add(slot: number): void {
    if (this.has(slot)) return;
    const p = this.positions.ensure(slot);
    if (this.count === this.members.length) this.members = grown(this.members, this.count + 1);
    this.members[this.count] = slot;
    p[slot] = this.count++;
  }

  delete(slot: number): boolean {
    if (!this.has(slot)) return false;
    const p = this.positions.array;
    const at = p[slot]!;
    const last = this.members[--this.count]!;
    this.members[at] = last;
    p[last] = at;
    p[slot] = NOT_MEMBER;
    return true;
  }

  /**
   * The member with the smallest key (least recently used) among `sampleSize` uniformly random
   * picks, with replacement; exact over the whole set when it has no more than `sampleSize`
   * members. Ties go to the first one examined. Returns -1 when the set is empty.
   */
  pickOldest(keys: ArrayLike<number>, sampleSize: number, random: () => number): number {
    const n = this.count;
    const members = this.members;
    if (n === 0) return -1;
    if (n <= sampleSize) return oldestOf(members, n, keys);
    let best = members[pick(random, n)]!;
    let bestKey = keys[best]!;
    for (let k = 1; k < sampleSize; k++) {
      const slot = members[pick(random, n)]!;
      const key = keys[slot]!;
      if (key < bestKey) {
        best = slot;
        bestKey = key;
      }
    }
    return best;
  }
}

function oldestOf(members: Int32Array, n: number, keys: ArrayLike<number>): number {
  let best = members[0]!;
  let bestKey = keys[best]!;
  for (let i = 1; i < n; i++) {
    const slot = members[i]!;
    if (keys[slot]! < bestKey) {
      best = slot;
      bestKey = keys[slot]!;
    }
  }
  return best;
}

/** A random index in [0, n); tolerates a random() that returns 1 or junk. */
function pick(random: () => number, n: number): number {
  const i = Math.floor(random() * n);
  return i >= 0 && i < n ? i : i >= n ? n - 1 : 0;
}

/** Grows by half (not doubling) to bound the slack a large store carries. */
export function grown<T extends Int32Array | Float64Array>(array: T, minLength: number): T {
  const length = Math.max(minLength, Math.ceil(array.length * 1.5));
  const next = new (array.constructor as new (n: number) => T)(length);
  next.set(array);
  return next;
}
