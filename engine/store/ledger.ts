// Who holds what, in charged bytes (block-cost.ts): each namespace (Space) with its blocks by id
// and its cache blocks, and the two pools namespaces share limits in, this node's own ('self')
// and every peer's together (what the node lends). Counting a block adds its charge to its
// namespace and its pool, and a cache block to both one's eviction candidates; uncounting undoes
// exactly that. Internal to engine/store: BlockStore is the only user.

import { SELF } from './self';
import { EvictableSet, SlotPositions } from './evictable-set';
import type { Pool, Space } from './room';
import type { Usage } from './store-types';

export class Ledger {
  readonly selfPool: Pool;
  readonly peerPool: Pool;
  /** Blocks in all namespaces. */
  blocks = 0;
  /** Two families of cache sets: one set per namespace, and one per pool. */
  private readonly spacePositions = new SlotPositions();
  private readonly poolPositions = new SlotPositions();
  private readonly spaces = new Map<string, Space>();
  private readonly spaceByIndex: Array<Space | undefined> = [];
  private readonly freeSpaceIndexes: number[] = [];

  constructor(peerCapacity: number) {
    this.selfPool = { cache: new EvictableSet(this.poolPositions), pinned: 0, cached: 0, capacity: Infinity };
    this.peerPool = { cache: new EvictableSet(this.poolPositions), pinned: 0, cached: 0, capacity: peerCapacity };
  }

  get usedBytes(): number {
    return this.selfPool.pinned + this.selfPool.cached + this.peerPool.pinned + this.peerPool.cached;
  }

  get pinnedBytes(): number {
    return this.selfPool.pinned + this.peerPool.pinned;
  }

  poolOf(ns: string): Pool {
    return ns === SELF ? this.selfPool : this.peerPool;
  }

  /** The namespace, while it holds at least one block. */
  space(ns: string): Space | undefined {
    return this.spaces.get(ns);
  }

  /** The namespace with this index (a slot's spaceOf); it must be open. */
  spaceAt(index: number): Space {
    return this.spaceByIndex[index]!;
  }

  names(): string[] {
    return Array.from(this.spaces.keys());
  }

  usageOf(space: Space): Usage {
    return { bytes: space.pinned + space.cached, blocks: space.slots.size };
  }

  open(ns: string): Space {
    const index = this.freeSpaceIndexes.pop() ?? this.spaceByIndex.length;
    const pool = this.poolOf(ns);
    // 'self' is alone in its pool: its cache set is the pool's (count and uncount then touch it twice, harmlessly).
    const cache = pool === this.selfPool ? pool.cache : new EvictableSet(this.spacePositions, 16);
    const space: Space = { name: ns, index, pool, slots: new Map(), cache, pinned: 0, cached: 0 };
    this.spaceByIndex[index] = space;
    this.spaces.set(ns, space);
    return space;
  }

  close(space: Space): void {
    this.spaces.delete(space.name);
    this.spaceByIndex[space.index] = undefined;
    this.freeSpaceIndexes.push(space.index);
  }

  /** Adds a live slot's charge to the totals (and, for a cache block, to the eviction candidates). */
  count(slot: number, space: Space, charge: number, cache: boolean): void {
    if (cache) {
      space.cache.add(slot);
      space.pool.cache.add(slot);
      space.cached += charge;
      space.pool.cached += charge;
    } else {
      space.pinned += charge;
      space.pool.pinned += charge;
    }
  }

  /** Takes a live slot's charge out of the totals and the eviction candidates. */
  uncount(slot: number, space: Space, charge: number): void {
    if (space.cache.delete(slot)) {
      space.pool.cache.delete(slot);
      space.cached -= charge;
      space.pool.cached -= charge;
    } else {
      space.pinned -= charge;
      space.pool.pinned -= charge;
    }
  }
}
