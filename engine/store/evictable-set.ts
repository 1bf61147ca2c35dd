// The set of evictable (cache-durability) block slots, built for sampled LRU eviction.
//
// Members sit in a dense array; each slot remembers its position, so add and remove are O(1)
// (remove swaps the last member into the hole) and a uniformly random member is one array read.
// Picking a victim therefore examines `sampleSize` members, never the whole set.

const NOT_MEMBER = -1;

export class EvictableSet {
  private members = new Int32Array(1024);
  /** Position of each slot in `members`, or NOT_MEMBER. Indexed by slot. */
  private positions = new Int32Array(1024).fill(NOT_MEMBER);
  private count = 0;

  get size(): number {
    return this.count;
  }

  has(slot: number): boolean {
    return slot < this.positions.length && this.positions[slot]! !== NOT_MEMBER;
  }

  add(slot: number): void {
    if (slot >= this.positions.length) this.growPositions(slot + 1);
    if (this.positions[slot] !== NOT_MEMBER) return;
    if (this.count === this.members.length) this.members = grown(this.members, this.count + 1);
    this.members[this.count] = slot;
    this.positions[slot] = this.count++;
  }

  delete(slot: number): boolean {
    if (slot >= this.positions.length) return false;
    const at = this.positions[slot]!;
    if (at === NOT_MEMBER) return false;
    const last = this.members[--this.count]!;
    this.members[at] = last;
    this.positions[last] = at;
    this.positions[slot] = NOT_MEMBER;
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

  private growPositions(minLength: number): void {
    const old = this.positions.length;
    this.positions = grown(this.positions, minLength);
    this.positions.fill(NOT_MEMBER, old);
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
