// What a sealed block's subkey and identity cost to make (block-seal.ts: the subkey's HMAC is two
// SHA-256 compressions, a key name's digest one or two more, plus the hex id and the fields) is a
// fair part of opening a small block. Values are read far more often than they are written (a build
// cache's artifacts, a key-value cache's hot keys: the same blocks again and again), and a block
// never changes (a new value is a new block, owner-index.ts), so the prepared bytes of the blocks
// used last are kept here: roughly the least recently used is replaced first (a second chance, so
// a hit costs one lookup and no reordering), and clear() zeroes them all. They are no more secret
// than the data key they come from, which this process holds anyway; the bytes sealed and opened
// are the same with or without them (test/engine/data/block-seal.test.ts).

import type { BlockParent } from './owner-index';

export class BlockKeyCache {
  /** Allocated on the first put: a node that owns nothing never pays for it. */
  #slab: Buffer | null = null;
  /**
   * Which slot holds block `id`. Slots are reused in place: a Map used as a queue (delete the
   * oldest, append) made every replacement walk the holes its own deletions left at the front of
   * V8's ordered table, ~3 us per SET once the cache was full.
   */
  readonly #slots = new Map<string, number>();
  readonly #ids: Array<string | null>;
  readonly #parents: BlockParent[];
  readonly #sizes: Float64Array;
  /** Used since the clock hand last passed the slot (its second chance). */
  readonly #usedSince: Uint8Array;
  /**
   * The id the last get() found no slot for: the sealer's put() follows such a miss at once (for
   * a new block, every SET), and need not look the id up again (each lookup of these 32-character
   * ids in an 8192-entry Map shows in the owner's SET profile).
   */
  #lastMiss: string | null = null;
  /** Slots handed out so far (they fill in order before any is replaced). */
  #filled = 0;
  /** The next slot replacement looks at; it goes round the slots in order (the CLOCK algorithm). */
  #hand = 0;

  /** `capacity` entries of `entryBytes` each, in one buffer. */
  constructor(
    readonly capacity: number,
    private readonly entryBytes: number,
  ) {
    this.#ids = new Array<string | null>(capacity).fill(null);
    this.#parents = new Array<BlockParent>(capacity).fill(null);
    this.#sizes = new Float64Array(capacity);
    this.#usedSince = new Uint8Array(capacity);
  }

  get size(): number {
    return this.#slots.size;
  }

  /** The bytes kept for block `id` (a view: copy them out), if they are for this very parent and size. */
  get(id: string, parent: BlockParent, size: number): Buffer | null {
    const slot = this.#slots.get(id);
    if (slot === undefined) {
      this.#lastMiss = id;
      return null;
    }
    if (this.#sizes[slot] !== size || !sameParent(this.#parents[slot]!, parent)) return null;
    this.#usedSince[slot] = 1;
    return this.#slab!.subarray(slot * this.entryBytes, (slot + 1) * this.entryBytes);
  }

  /** Room for block `id`'s bytes (a view to fill now), taken from the least recently used when full. */
  put(id: string, parent: BlockParent, size: number): Buffer | null {
    if (this.capacity === 0) return null;
    this.#slab ??= Buffer.alloc(this.capacity * this.entryBytes);
    let slot = id === this.#lastMiss ? undefined : this.#slots.get(id);
    this.#lastMiss = null;
    // A new entry sits just behind the hand (the last one it reaches); one put again where it was
    // gets a second chance instead.
    if (slot === undefined) {
      slot = this.#filled < this.capacity ? this.#filled++ : this.#replace();
      this.#slots.set(id, slot);
      this.#ids[slot] = id;
      this.#usedSince[slot] = 0;
    } else {
      this.#usedSince[slot] = 1;
    }
    this.#parents[slot] = parent;
    this.#sizes[slot] = size;
    return this.#slab.subarray(slot * this.entryBytes, (slot + 1) * this.entryBytes);
  }

  /**
   * Frees the slot of the oldest entry not used since the hand last passed it and returns it; a
   * used one loses its mark and is passed over (the same order as "least recently used first,
   * with a second chance": slots are filled and refilled in the hand's order).
   */
  #replace(): number {
    for (;;) {
      const slot = this.#hand;
      this.#hand = slot + 1 === this.capacity ? 0 : slot + 1;
      if (this.#usedSince[slot] === 1) {
        this.#usedSince[slot] = 0;
        continue;
      }
      this.#slots.delete(this.#ids[slot]!);
      this.#ids[slot] = null;
      this.#parents[slot] = null;
      return slot;
    }
  }

  /** Drops and zeroes everything. */
  clear(): void {
    this.#slots.clear();
    this.#lastMiss = null;
    this.#ids.fill(null);
    this.#parents.fill(null);
    this.#usedSince.fill(0);
    this.#filled = 0;
    this.#hand = 0;
    this.#slab?.fill(0);
  }
}

function sameParent(a: BlockParent, b: BlockParent): boolean {
  if (a === b) return true;
  if (a === null || b === null || a.kind !== b.kind) return false;
  if (a.kind === 'key') return b.kind === 'key' && a.key === b.key;
  return b.kind === 'stream' && a.id === b.id && a.index === b.index;
}
