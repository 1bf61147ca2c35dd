// The RAM block store: this node's own blocks ('self') and those trusted peers store here (one
// namespace per peer key text), under one capacity (--memory), with per-namespace quotas.
//
// Pinned blocks are never evicted: a write that cannot fit even after evicting every cache block
// is refused with MEMORY_FULL before anything is evicted. Cache blocks are evicted by sampled LRU
// (see EvictableSet). Every operation is O(1) except listing and flushing a namespace.

import { ErrorCodes, MemCloudError } from '../errors';
import {
  assertBlockId, assertByteCount, assertDurability, assertNamespace, namespaceLabel, retainBlockData,
} from './block-input';
import { EvictableSet } from './evictable-set';
import { formatSize } from './sizes';
import { SlotTable } from './slot-table';
import type { BlockMeta, BlockStoreOptions, EvictedBlock, PutOptions, PutResult, StoreTotals, Usage } from './store-types';

export type { BlockMeta, BlockStoreOptions, EvictedBlock, PutOptions, PutResult, StoreTotals, Usage } from './store-types';

interface Space {
  readonly name: string;
  readonly index: number;
  readonly slots: Map<string, number>;
  bytes: number;
}

/** V8 refuses a Map beyond 2^24 entries; stop short of it with a clean error. */
const MAX_BLOCKS_PER_NAMESPACE = 16_000_000;
const NO_EVICTIONS: readonly EvictedBlock[] = Object.freeze([]);

export class BlockStore {
  private capacity: number;
  private readonly sampleSize: number;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly onEvict: ((evicted: readonly EvictedBlock[]) => void) | undefined;
  private readonly table = new SlotTable();
  private readonly evictable = new EvictableSet(); // exactly the cache-durability slots
  private readonly spaces = new Map<string, Space>();
  private readonly spaceByIndex: Array<Space | undefined> = [];
  private readonly freeSpaceIndexes: number[] = [];
  private pinnedBytes = 0;
  private cacheBytes = 0;
  private evictions = 0;

  constructor(opts: BlockStoreOptions) {
    assertByteCount('capacityBytes', opts.capacityBytes);
    const sampleSize = opts.sampleSize ?? 5;
    if (!Number.isSafeInteger(sampleSize) || sampleSize < 1 || sampleSize > 1024) {
      throw new MemCloudError(ErrorCodes.BAD_ARGUMENT, `sampleSize must be a whole number from 1 to 1024 (got ${sampleSize})`);
    }
    this.capacity = opts.capacityBytes;
    this.sampleSize = sampleSize;
    this.now = opts.now ?? Date.now;
    this.random = opts.random ?? Math.random;
    this.onEvict = opts.onEvict;
  }

  /**
   * Stores (ns, id), replacing any block there. Refused with QUOTA_EXCEEDED when the namespace
   * would go over quotaBytes, and with MEMORY_FULL when the block cannot fit even after evicting
   * every cache block; a refused write changes nothing. See retainBlockData() for when data is copied.
   */
  put(ns: string, id: string, data: Uint8Array, opts: PutOptions): PutResult {
    assertNamespace(ns);
    assertBlockId(id);
    assertDurability(opts.durability);
    if (opts.quotaBytes !== undefined) assertByteCount('quotaBytes', opts.quotaBytes);
    const space = this.spaces.get(ns);
    const slot = space?.slots.get(id);
    const old = slot === undefined ? undefined : this.table.data[slot]!;
    // An overwrite of the same size may keep the stored array (see PutOptions.reuse).
    const inPlace = opts.reuse === true && old !== undefined && data instanceof Uint8Array && old.byteLength === data.byteLength;
    const bytes = inPlace ? old : retainBlockData(data);
    const size = bytes.byteLength;
    const oldSize = old === undefined ? 0 : old.byteLength;
    const oldCache = slot !== undefined && this.evictable.has(slot);
    const growth = size - oldSize;
    opts.admit?.(growth);

    const nsBytes = space?.bytes ?? 0;
    if (opts.quotaBytes !== undefined && growth > 0 && nsBytes + growth > opts.quotaBytes) {
      throw new MemCloudError(ErrorCodes.QUOTA_EXCEEDED,
        `quota exceeded for ${namespaceLabel(ns)}: ${formatSize(nsBytes)} used of ${formatSize(opts.quotaBytes)}, ` +
        `this write needs ${formatSize(growth)} more`);
    }
    const mustEvict = growth > 0 && this.usedBytes + growth > this.capacity;
    const pinnedOthers = this.pinnedBytes - (slot !== undefined && !oldCache ? oldSize : 0);
    if (mustEvict && pinnedOthers + size > this.capacity) {
      throw new MemCloudError(ErrorCodes.MEMORY_FULL,
        `memory full: ${formatSize(pinnedOthers)} pinned of ${formatSize(this.capacity)}, ` +
        `no room for ${formatSize(size)} even after evicting every cache block`);
    }
    if (slot === undefined && space !== undefined && space.slots.size >= MAX_BLOCKS_PER_NAMESPACE) {
      throw new MemCloudError(ErrorCodes.MEMORY_FULL, `memory full: ${namespaceLabel(ns)} holds the most blocks one namespace can (${space.slots.size})`);
    }

    // Committed: nothing below can fail. The old block leaves the accounting (and the eviction
    // candidates) first, so eviction never picks the block being replaced.
    if (slot !== undefined) this.uncount(slot, oldSize);
    const evicted = mustEvict ? this.evictUntil(this.capacity - size) : NO_EVICTIONS;
    const now = this.now();
    let target = slot;
    if (target === undefined) {
      const home = this.spaces.get(ns) ?? this.openSpace(ns); // eviction may have closed it
      target = this.table.allocate(bytes, id, home.index, now);
      home.slots.set(id, target);
      home.bytes += size;
    } else {
      if (inPlace) bytes.set(data);
      this.table.replace(target, bytes, now);
      space!.bytes += growth; // still open: the block being replaced kept it from closing
    }
    if (opts.durability === 'cache') {
      this.evictable.add(target);
      this.cacheBytes += size;
    } else {
      this.pinnedBytes += size;
    }
    this.notify(evicted);
    return { replacedBytes: oldSize, evicted };
  }

  /**
   * The stored bytes (not a copy: do not modify), marking the block as just used. A later put with
   * `reuse` may overwrite them in place.
   */
  get(ns: string, id: string): Uint8Array | undefined {
    const slot = this.slotOf(ns, id);
    if (slot === undefined) return undefined;
    this.table.lastAccess[slot] = this.now();
    return this.table.data[slot]!;
  }

  has(ns: string, id: string): boolean {
    return this.slotOf(ns, id) !== undefined;
  }

  meta(ns: string, id: string): BlockMeta | undefined {
    const slot = this.slotOf(ns, id);
    return slot === undefined ? undefined : this.metaOf(slot);
  }

  delete(ns: string, id: string): boolean {
    const slot = this.slotOf(ns, id);
    if (slot === undefined) return false;
    this.remove(slot);
    return true;
  }

  /** Deletes the ids that exist; all ids are checked first, so a malformed one deletes nothing. */
  deleteMany(ns: string, ids: Iterable<string>): Usage {
    assertNamespace(ns);
    const list = Array.from(ids);
    list.forEach(assertBlockId);
    let blocks = 0;
    let bytes = 0;
    for (const id of list) {
      const slot = this.slotOf(ns, id);
      if (slot === undefined) continue;
      bytes += this.remove(slot);
      blocks++;
    }
    return { blocks, bytes };
  }

  list(ns: string): BlockMeta[] {
    assertNamespace(ns);
    const space = this.spaces.get(ns);
    return space === undefined ? [] : Array.from(space.slots.values(), (slot) => this.metaOf(slot));
  }

  ids(ns: string): string[] {
    assertNamespace(ns);
    const space = this.spaces.get(ns);
    return space === undefined ? [] : Array.from(space.slots.keys());
  }

  /** Drops every block of one namespace (a peer revoked, or `flush`). */
  flush(ns: string): Usage {
    assertNamespace(ns);
    const space = this.spaces.get(ns);
    if (space === undefined) return { blocks: 0, bytes: 0 };
    const blocks = space.slots.size;
    const bytes = space.bytes;
    for (const slot of space.slots.values()) {
      this.uncount(slot, this.table.data[slot]!.byteLength);
      this.table.release(slot);
    }
    this.closeSpace(space);
    return { blocks, bytes };
  }

  usage(ns: string): Usage {
    assertNamespace(ns);
    const space = this.spaces.get(ns);
    return space === undefined ? { bytes: 0, blocks: 0 } : { bytes: space.bytes, blocks: space.slots.size };
  }

  /** Namespaces holding at least one block. */
  namespaces(): string[] {
    return Array.from(this.spaces.keys());
  }

  totals(): StoreTotals {
    let blocks = 0;
    for (const space of this.spaces.values()) blocks += space.slots.size;
    return {
      usedBytes: this.usedBytes, capacityBytes: this.capacity, blocks,
      pinnedBytes: this.pinnedBytes, cacheBytes: this.cacheBytes, evictions: this.evictions,
    };
  }

  /** Changes the capacity live. Shrinking evicts cache blocks down to it; pinned data always stays. */
  setCapacity(bytes: number): readonly EvictedBlock[] {
    assertByteCount('capacityBytes', bytes);
    this.capacity = bytes;
    const evicted = this.usedBytes > bytes ? this.evictUntil(bytes) : NO_EVICTIONS;
    this.notify(evicted);
    return evicted;
  }

  private get usedBytes(): number {
    return this.pinnedBytes + this.cacheBytes;
  }

  private slotOf(ns: string, id: string): number | undefined {
    assertNamespace(ns);
    assertBlockId(id);
    return this.spaces.get(ns)?.slots.get(id);
  }

  private metaOf(slot: number): BlockMeta {
    const t = this.table;
    return {
      id: t.ids[slot]!, size: t.data[slot]!.byteLength, durability: this.evictable.has(slot) ? 'cache' : 'pinned',
      createdAt: t.createdAt[slot]!, lastAccess: t.lastAccess[slot]!,
    };
  }

  /** Takes a live slot's bytes out of the totals and the eviction candidates. */
  private uncount(slot: number, size: number): void {
    if (this.evictable.delete(slot)) this.cacheBytes -= size;
    else this.pinnedBytes -= size;
  }

  /** Removes one live block entirely; returns its size. */
  private remove(slot: number): number {
    const t = this.table;
    const size = t.data[slot]!.byteLength;
    const space = this.spaceByIndex[t.spaceOf[slot]!]!;
    this.uncount(slot, size);
    space.slots.delete(t.ids[slot]!);
    space.bytes -= size;
    t.release(slot);
    if (space.slots.size === 0) this.closeSpace(space);
    return size;
  }

  /** Evicts sampled-LRU cache blocks until usedBytes <= target or no cache block is left. */
  private evictUntil(target: number): EvictedBlock[] {
    const evicted: EvictedBlock[] = [];
    while (this.usedBytes > target) {
      const slot = this.evictable.pickOldest(this.table.lastAccess, this.sampleSize, this.random);
      if (slot === -1) break;
      const space = this.spaceByIndex[this.table.spaceOf[slot]!]!;
      const id = this.table.ids[slot]!;
      evicted.push({ ns: space.name, id, size: this.remove(slot) });
    }
    this.evictions += evicted.length;
    return evicted;
  }

  private notify(evicted: readonly EvictedBlock[]): void {
    if (evicted.length === 0 || this.onEvict === undefined) return;
    try {
      this.onEvict(evicted);
    } catch (err) {
      // The store is already consistent; surface the listener's bug without failing the write.
      queueMicrotask(() => {
        throw err;
      });
    }
  }

  private openSpace(name: string): Space {
    const index = this.freeSpaceIndexes.pop() ?? this.spaceByIndex.length;
    const space: Space = { name, index, slots: new Map(), bytes: 0 };
    this.spaceByIndex[index] = space;
    this.spaces.set(name, space);
    return space;
  }

  private closeSpace(space: Space): void {
    this.spaces.delete(space.name);
    this.spaceByIndex[space.index] = undefined;
    this.freeSpaceIndexes.push(space.index);
  }
}
