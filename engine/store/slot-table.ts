// Per-block records as parallel arrays indexed by a slot number, rather than one object per block.
//
// A million small blocks as objects would cost a header, boxed timestamps and GC work each; here a
// block costs two pointers (data, id), two float64 times and an int32 namespace index (~36 bytes),
// plus the namespace Map entry that maps its id to the slot. Freed slots are reused, so the arrays
// stay at the peak block count. Internal to engine/store: BlockStore is the only user.

import { grown } from './evictable-set';

export class SlotTable {
  /** The stored bytes; null for a free slot. */
  readonly data: Array<Uint8Array | null> = [];
  /** Block id per slot (the same string the namespace Map holds as key); '' when free. */
  readonly ids: string[] = [];
  spaceOf = new Int32Array(1024);
  createdAt = new Float64Array(1024);
  lastAccess = new Float64Array(1024);
  private readonly free: number[] = [];

  /** Number of slots ever used (free or not); the arrays hold at least this many. */
  get highWater(): number {
    return this.data.length;
  }

  allocate(data: Uint8Array, id: string, space: number, now: number): number {
    let slot = this.free.pop();
    if (slot === undefined) {
      slot = this.data.length;
      this.data.push(data);
      this.ids.push(id);
      if (slot >= this.spaceOf.length) this.grow(slot + 1);
    } else {
      this.data[slot] = data;
      this.ids[slot] = id;
    }
    this.spaceOf[slot] = space;
    this.createdAt[slot] = now;
    this.lastAccess[slot] = now;
    return slot;
  }

  /** Replaces a live slot's data in place, as a new block (both times reset). */
  replace(slot: number, data: Uint8Array, now: number): void {
    this.data[slot] = data;
    this.createdAt[slot] = now;
    this.lastAccess[slot] = now;
  }

  /**
   * Ids of the live slots of one namespace from `from` on, at most `limit` of them, examining at
   * most `budget` slots; `next` is the slot to continue from, 0 once past the last slot.
   */
  scan(space: number, from: number, limit: number, budget: number): { ids: string[]; next: number } {
    const end = this.data.length;
    const stop = Math.min(end, from + budget);
    const ids: string[] = [];
    let s = from;
    for (; s < stop && ids.length < limit; s++) if (this.spaceOf[s] === space && this.data[s] !== null) ids.push(this.ids[s]!);
    return { ids, next: s >= end ? 0 : s };
  }

  release(slot: number): void {
    this.data[slot] = null; // drop the bytes now, not when the slot is reused
    this.ids[slot] = '';
    this.free.push(slot);
  }

  private grow(minLength: number): void {
    this.spaceOf = grown(this.spaceOf, minLength);
    this.createdAt = grown(this.createdAt, minLength);
    this.lastAccess = grown(this.lastAccess, minLength);
  }
}
