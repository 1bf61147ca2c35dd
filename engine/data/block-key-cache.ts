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

interface Entry {
  readonly parent: BlockParent;
  readonly size: number;
  /** Offset of this entry's bytes in the slab. */
  readonly at: number;
  /** Used since it was last passed over for replacement (a second chance). */
  used: boolean;
}

export class BlockKeyCache {
  /** Allocated on the first put: a node that owns nothing never pays for it. */
  #slab: Buffer | null = null;
  /**
   * Oldest first. A hit only marks its entry used (no reordering on the read path); replacement
   * gives a used entry a second chance (to the back, unmarked) and takes the first one unused since.
   */
  readonly #entries = new Map<string, Entry>();
  #used = 0;

  /** `capacity` entries of `entryBytes` each, in one buffer. */
  constructor(
    readonly capacity: number,
    private readonly entryBytes: number,
  ) {}

  get size(): number {
    return this.#entries.size;
  }

  /** The bytes kept for block `id` (a view: copy them out), if they are for this very parent and size. */
  get(id: string, parent: BlockParent, size: number): Buffer | null {
    const e = this.#entries.get(id);
    if (e === undefined || e.size !== size || !sameParent(e.parent, parent)) return null;
    e.used = true;
    return this.#slab!.subarray(e.at, e.at + this.entryBytes);
  }

  /** Room for block `id`'s bytes (a view to fill now), taken from the least recently used when full. */
  put(id: string, parent: BlockParent, size: number): Buffer | null {
    if (this.capacity === 0) return null;
    this.#slab ??= Buffer.alloc(this.capacity * this.entryBytes);
    const old = this.#entries.get(id);
    let at: number;
    if (old !== undefined) {
      this.#entries.delete(id);
      at = old.at;
    } else if (this.#used < this.capacity) {
      at = this.#used++ * this.entryBytes;
    } else {
      at = this.#replace();
    }
    this.#entries.set(id, { parent, size, at, used: false });
    return this.#slab.subarray(at, at + this.entryBytes);
  }

  /** Frees the room of the oldest entry not used since it was last passed over; returns its offset. */
  #replace(): number {
    for (;;) {
      const [oldest, e] = this.#entries.entries().next().value as [string, Entry];
      this.#entries.delete(oldest);
      if (!e.used) return e.at;
      e.used = false;
      this.#entries.set(oldest, e);
    }
  }

  /** Drops and zeroes everything. */
  clear(): void {
    this.#entries.clear();
    this.#used = 0;
    this.#slab?.fill(0);
  }
}

function sameParent(a: BlockParent, b: BlockParent): boolean {
  if (a === b) return true;
  if (a === null || b === null || a.kind !== b.kind) return false;
  if (a.kind === 'key') return b.kind === 'key' && a.key === b.key;
  return b.kind === 'stream' && a.id === b.id && a.index === b.index;
}
