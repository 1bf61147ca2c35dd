// The block store's public shapes: options, results and metadata. Sizes are bytes; times are ms
// since the epoch (or whatever the store's now() returns).

import type { Durability } from '../api/types';

export interface BlockStoreOptions {
  /** Everything stored here, all namespaces together (the node's --memory). */
  readonly capacityBytes: number;
  /** Random cache blocks examined per eviction; the least recently used of them goes. Default 5. */
  readonly sampleSize?: number;
  readonly now?: () => number;
  /** Uniform in [0, 1); injectable for deterministic tests. */
  readonly random?: () => number;
  /** Told of every batch of evictions, after the store is consistent again. Must not throw. */
  readonly onEvict?: (evicted: readonly EvictedBlock[]) => void;
}

export interface PutOptions {
  readonly durability: Durability;
  /** The namespace's limit (the engine passes the peer's allowance); none when omitted. */
  readonly quotaBytes?: number;
}

export interface PutResult {
  /** Size of the block this write replaced, 0 for a new block. */
  readonly replacedBytes: number;
  readonly evicted: readonly EvictedBlock[];
}

export interface EvictedBlock {
  readonly ns: string;
  readonly id: string;
  readonly size: number;
}

export interface BlockMeta {
  readonly id: string;
  readonly size: number;
  readonly durability: Durability;
  readonly createdAt: number;
  readonly lastAccess: number;
}

export interface Usage {
  readonly bytes: number;
  readonly blocks: number;
}

export interface StoreTotals {
  /** May exceed capacityBytes after setCapacity() shrank below the pinned data. */
  readonly usedBytes: number;
  readonly capacityBytes: number;
  readonly blocks: number;
  readonly pinnedBytes: number;
  readonly cacheBytes: number;
  /** Cache blocks evicted since the store was made. */
  readonly evictions: number;
}
