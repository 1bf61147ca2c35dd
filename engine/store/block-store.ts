// The RAM block store: this node's own blocks ('self') and those trusted peers store here (one
// namespace per peer key text). Everything together stays under the capacity (--memory); the
// peers' namespaces together also stay under the peer capacity (what this node lends), and each
// namespace under the quota and block cap its writes carry. Every block is charged its data plus a
// fixed overhead (block-cost.ts), so no block is free.
//
// A write that does not fit evicts least-recently-used cache blocks (sampled, see EvictableSet):
// the namespace's own while it is over its quota or block cap, then any peer's while the peers are
// over their capacity, then anyone's while the store is over its capacity. Pinned blocks are never
// evicted: a write that cannot fit even after evicting every cache block it may evict is refused
// (room.ts) before anything changes. Every operation is O(1) except listing and flushing a namespace.

import {
  assertBlockId, assertByteCount, assertDurability, assertNamespace, retainBlockData,
} from './block-input';
import { BLOCK_OVERHEAD_BYTES, chargeOf } from './block-cost';
import type { EvictableSet } from './evictable-set';
import { Ledger } from './ledger';
import { badListArgument, checkRoom, validSampleSize } from './room';
import { SlotTable } from './slot-table';
import type { Pool, Space } from './room';
import type {
  BlockMeta, BlockStoreOptions, EvictedBlock, IdPage, PutOptions, PutResult, StoreTotals, Usage,
} from './store-types';

export type { BlockMeta, BlockStoreOptions, EvictedBlock, IdPage, PutOptions, PutResult, StoreTotals, Usage } from './store-types';

/** V8 refuses a Map beyond 2^24 entries; stop short of it with a clean error. */
const MAX_BLOCKS_PER_NAMESPACE = 16_000_000;
/** Slots one listPage() call examines at most (~1 ms), however few of them the namespace holds. */
export const LIST_SCAN_SLOTS = 1 << 18;
const NO_EVICTIONS: readonly EvictedBlock[] = Object.freeze([]);

export class BlockStore {
  private capacity: number;
  private readonly sampleSize: number;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly onEvict: ((evicted: readonly EvictedBlock[]) => void) | undefined;
  private readonly table = new SlotTable();
  private readonly ledger: Ledger;
  private evictions = 0;

  constructor(opts: BlockStoreOptions) {
    assertByteCount('capacityBytes', opts.capacityBytes);
    if (opts.peerCapacityBytes !== undefined) assertByteCount('peerCapacityBytes', opts.peerCapacityBytes);
    this.capacity = opts.capacityBytes;
    this.sampleSize = validSampleSize(opts.sampleSize ?? 5);
    this.now = opts.now ?? Date.now;
    this.random = opts.random ?? Math.random;
    this.onEvict = opts.onEvict;
    this.ledger = new Ledger(opts.peerCapacityBytes ?? opts.capacityBytes);
  }

  /**
   * Stores (ns, id), replacing any block there, evicting cache blocks as needed (see the top of
   * this file). Refused with QUOTA_EXCEEDED when the namespace's pinned blocks leave no room under
   * its quota or block cap, and with MEMORY_FULL when pinned blocks leave no room under the peers'
   * capacity or the store's; a refused write changes nothing. See retainBlockData() for when data
   * is copied.
   */
  put(ns: string, id: string, data: Uint8Array, opts: PutOptions): PutResult {
    assertNamespace(ns);
    assertBlockId(id);
    assertDurability(opts.durability);
    if (opts.quotaBytes !== undefined) assertByteCount('quotaBytes', opts.quotaBytes);
    if (opts.maxBlocks !== undefined) assertByteCount('maxBlocks', opts.maxBlocks);
    const ledger = this.ledger;
    const space = ledger.space(ns);
    const slot = space?.slots.get(id);
    const old = slot === undefined ? undefined : this.table.data[slot]!;
    // An overwrite of the same size may keep the stored array (see PutOptions.reuse).
    const inPlace = opts.reuse === true && old !== undefined && data instanceof Uint8Array && old.byteLength === data.byteLength;
    const bytes = inPlace ? old : retainBlockData(data);
    const charge = chargeOf(bytes.byteLength);
    const oldCharge = old === undefined ? 0 : chargeOf(old.byteLength);
    const pool = ledger.poolOf(ns);
    const quota = opts.quotaBytes ?? Infinity;
    const maxBlocks = Math.min(opts.maxBlocks ?? Infinity, MAX_BLOCKS_PER_NAMESPACE);
    const growth = charge - oldCharge;
    const fitsAsIs = (slot !== undefined || (space?.slots.size ?? 0) + 1 <= maxBlocks) && (growth <= 0 || (
      (space === undefined ? 0 : space.pinned + space.cached) + growth <= quota &&
      pool.pinned + pool.cached + growth <= pool.capacity && ledger.usedBytes + growth <= this.capacity));
    if (!fitsAsIs) {
      checkRoom({
        ns, space, isNew: slot === undefined, charge, replacedCharge: oldCharge, pool, quota, maxBlocks, capacity: this.capacity,
        pinnedBytes: ledger.pinnedBytes,
        // The block being replaced leaves the pinned charges whatever happens.
        replacedPinned: slot !== undefined && !pool.cache.has(slot) ? oldCharge : 0,
      });
    }

    // Committed: nothing below can fail. The old block leaves the accounting (and the eviction
    // candidates) first, so eviction never picks the block being replaced.
    if (slot !== undefined) ledger.uncount(slot, space!, oldCharge);
    const evicted = fitsAsIs ? NO_EVICTIONS : this.makeRoom(space, pool, slot === undefined, charge, quota, maxBlocks);

    const now = this.now();
    const home = ledger.space(ns) ?? ledger.open(ns); // eviction may have closed it
    let target = slot;
    if (target === undefined) {
      target = this.table.allocate(bytes, id, home.index, now);
      home.slots.set(id, target);
      ledger.blocks++;
    } else {
      if (inPlace) bytes.set(data);
      this.table.replace(target, bytes, now);
    }
    ledger.count(target, home, charge, opts.durability === 'cache');
    this.notify(evicted);
    return { replacedBytes: old?.byteLength ?? 0, evicted: evicted.length === 0 ? NO_EVICTIONS : evicted };
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
    const space = this.ledger.space(ns);
    return space === undefined ? [] : Array.from(space.slots.values(), (slot) => this.metaOf(slot));
  }

  ids(ns: string): string[] {
    assertNamespace(ns);
    const space = this.ledger.space(ns);
    return space === undefined ? [] : Array.from(space.slots.keys());
  }

  /**
   * One page of a namespace's ids, at most `limit`, starting at `cursor` (0 for the first page;
   * then the previous page's `next`, until it is 0). A page may hold fewer than `limit` ids, even
   * none, before the listing is complete: one call examines at most LIST_SCAN_SLOTS slots. Every
   * block present for the whole listing is listed exactly once (a block keeps its slot for life);
   * blocks stored or removed meanwhile may or may not be.
   */
  listPage(ns: string, cursor: number, limit: number): IdPage {
    assertNamespace(ns);
    if (!Number.isSafeInteger(cursor) || cursor < 0) throw badListArgument('cursor', cursor);
    if (!Number.isSafeInteger(limit) || limit < 1) throw badListArgument('limit', limit);
    const space = this.ledger.space(ns);
    if (space === undefined) return { ids: [], next: 0 };
    // A namespace that fits one page, listed from the start: its map, without a scan.
    if (cursor === 0 && space.slots.size <= limit) return { ids: Array.from(space.slots.keys()), next: 0 };
    return this.table.scan(space.index, cursor, limit, LIST_SCAN_SLOTS);
  }

  /** Drops every block of one namespace (a peer revoked, or `flush`). */
  flush(ns: string): Usage {
    assertNamespace(ns);
    const space = this.ledger.space(ns);
    if (space === undefined) return { blocks: 0, bytes: 0 };
    const usage = this.ledger.usageOf(space);
    for (const slot of space.slots.values()) {
      this.ledger.uncount(slot, space, chargeOf(this.table.data[slot]!.byteLength));
      this.table.release(slot);
    }
    this.ledger.blocks -= usage.blocks;
    this.ledger.close(space);
    return usage;
  }

  /** What a namespace holds, in charged bytes. */
  usage(ns: string): Usage {
    assertNamespace(ns);
    const space = this.ledger.space(ns);
    return space === undefined ? { bytes: 0, blocks: 0 } : this.ledger.usageOf(space);
  }

  /**
   * The largest block (data bytes) `ns` could store now under `quotaBytes` and `maxBlocks`, cache
   * blocks being evictable as a write would evict them; 0 when not even an empty block fits.
   */
  roomFor(ns: string, quotaBytes: number, maxBlocks = Infinity): number {
    assertNamespace(ns);
    const space = this.ledger.space(ns);
    if (space !== undefined && space.slots.size - space.cache.size >= maxBlocks) return 0;
    const pool = this.ledger.poolOf(ns);
    const room = Math.min(quotaBytes - (space?.pinned ?? 0), pool.capacity - pool.pinned, this.capacity - this.ledger.pinnedBytes);
    return Math.max(0, room - BLOCK_OVERHEAD_BYTES);
  }

  /** Namespaces holding at least one block. */
  namespaces(): string[] {
    return this.ledger.names();
  }

  totals(): StoreTotals {
    const { selfPool: s, peerPool: p } = this.ledger;
    return {
      usedBytes: this.ledger.usedBytes, capacityBytes: this.capacity, blocks: this.ledger.blocks,
      pinnedBytes: s.pinned + p.pinned, cacheBytes: s.cached + p.cached, evictions: this.evictions,
      peerUsedBytes: p.pinned + p.cached, peerPinnedBytes: p.pinned, peerCapacityBytes: p.capacity,
    };
  }

  /** Changes the capacity live. Shrinking evicts cache blocks down to it; pinned data always stays. */
  setCapacity(bytes: number): readonly EvictedBlock[] {
    assertByteCount('capacityBytes', bytes);
    this.capacity = bytes;
    const evicted: EvictedBlock[] = [];
    while (this.ledger.usedBytes > bytes && this.evictOldest(evicted));
    this.notify(evicted);
    return evicted;
  }

  /** Changes what peers may store here together. Shrinking evicts their cache blocks down to it. */
  setPeerCapacity(bytes: number): readonly EvictedBlock[] {
    assertByteCount('peerCapacityBytes', bytes);
    const pool = this.ledger.peerPool;
    pool.capacity = bytes;
    const evicted: EvictedBlock[] = [];
    while (pool.pinned + pool.cached > bytes && this.evictFrom(pool.cache, evicted));
    this.notify(evicted);
    return evicted;
  }

  private slotOf(ns: string, id: string): number | undefined {
    assertNamespace(ns);
    assertBlockId(id);
    return this.ledger.space(ns)?.slots.get(id);
  }

  private spaceOfSlot(slot: number): Space {
    return this.ledger.spaceAt(this.table.spaceOf[slot]!);
  }

  private metaOf(slot: number): BlockMeta {
    const t = this.table;
    return {
      id: t.ids[slot]!, size: t.data[slot]!.byteLength, durability: this.spaceOfSlot(slot).cache.has(slot) ? 'cache' : 'pinned',
      createdAt: t.createdAt[slot]!, lastAccess: t.lastAccess[slot]!,
    };
  }

  /** Removes one live block entirely; returns its charge. */
  private remove(slot: number): number {
    const t = this.table;
    const charge = chargeOf(t.data[slot]!.byteLength);
    const space = this.spaceOfSlot(slot);
    this.ledger.uncount(slot, space, charge);
    space.slots.delete(t.ids[slot]!);
    t.release(slot);
    this.ledger.blocks--;
    if (space.slots.size === 0) this.ledger.close(space);
    return charge;
  }

  /**
   * Evicts cache blocks until a block of `charge` fits: the namespace's own while it is over its
   * quota or block cap, the pool's while the pool is full, anyone's while the store is.
   */
  private makeRoom(space: Space | undefined, pool: Pool, isNew: boolean, charge: number, quota: number, maxBlocks: number): EvictedBlock[] {
    const evicted: EvictedBlock[] = [];
    if (space !== undefined) {
      while (space.pinned + space.cached + charge > quota || (isNew && space.slots.size + 1 > maxBlocks)) {
        if (!this.evictFrom(space.cache, evicted)) break;
      }
    }
    while (pool.pinned + pool.cached + charge > pool.capacity) if (!this.evictFrom(pool.cache, evicted)) break;
    while (this.ledger.usedBytes + charge > this.capacity) if (!this.evictOldest(evicted)) break;
    return evicted;
  }

  /** Evicts the sampled least recently used block of `set`; false when it is empty. */
  private evictFrom(set: EvictableSet, evicted: EvictedBlock[]): boolean {
    const slot = set.pickOldest(this.table.lastAccess, this.sampleSize, this.random);
    if (slot === -1) return false;
    this.evict(slot, evicted);
    return true;
  }

  /** Evicts the older of the two pools' sampled least recently used blocks; false when none is left. */
  private evictOldest(evicted: EvictedBlock[]): boolean {
    const keys = this.table.lastAccess;
    const a = this.ledger.selfPool.cache.pickOldest(keys, this.sampleSize, this.random);
    const b = this.ledger.peerPool.cache.pickOldest(keys, this.sampleSize, this.random);
    if (a === -1 && b === -1) return false;
    this.evict(a === -1 || (b !== -1 && keys[b]! < keys[a]!) ? b : a, evicted);
    return true;
  }

  private evict(slot: number, evicted: EvictedBlock[]): void {
    const ns = this.spaceOfSlot(slot).name;
    const id = this.table.ids[slot]!;
    const size = this.table.data[slot]!.byteLength;
    this.remove(slot);
    evicted.push({ ns, id, size });
    this.evictions++;
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
}
