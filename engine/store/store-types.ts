// The block store's public shapes: options, results and metadata. Sizes are bytes; times are ms
// since the epoch (or whatever the store's now() returns).

import type { Durability } from '../api/types';

export interface BlockStoreOptions {
  /** Everything stored here, all namespaces together (the node's --memory), charged (see block-cost). */
  readonly capacityBytes: number;
  /**
   * What every namespace but 'self' may take together (what the node lends to peers), charged.
   * Default: capacityBytes.
   */
  readonly peerCapacityBytes?: number;
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
  /** The namespace's limit in charged bytes (the engine passes the peer's allowance); none when omitted. */
  readonly quotaBytes?: number;
  /** The most blocks the namespace may hold; none when omitted. */
  readonly maxBlocks?: number;
  /**
   * Replacing a block of the same size may copy the new bytes into the stored array instead of
   * allocating another one (no garbage per overwrite). Only for callers that never keep an array
   * get() returned for this namespace beyond the synchronous call that read it.
   */
  readonly reuse?: boolean;
}

export interface PutResult {
  /** Data size of the block this write replaced, 0 for a new block. */
  readonly replacedBytes: number;
  readonly evicted: readonly EvictedBlock[];
}

export interface EvictedBlock {
  readonly ns: string;
  readonly id: string;
  /** Data bytes (the block was charged this plus BLOCK_OVERHEAD_BYTES). */
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
  /** Charged bytes: data plus BLOCK_OVERHEAD_BYTES per block. */
  readonly bytes: number;
  readonly blocks: number;
}

/** One page of a namespace's block ids (see BlockStore.listPage). */
export interface IdPage {
  readonly ids: string[];
  /** Where the next page starts; 0 when the listing is complete. */
  readonly next: number;
}

/** All sizes are charged bytes (data plus BLOCK_OVERHEAD_BYTES per block). */
export interface StoreTotals {
  /** May exceed capacityBytes after setCapacity() shrank below the pinned data. */
  readonly usedBytes: number;
  readonly capacityBytes: number;
  readonly blocks: number;
  readonly pinnedBytes: number;
  readonly cacheBytes: number;
  /** What every namespace but 'self' holds together, and its limit (what the node lends). */
  readonly peerUsedBytes: number;
  readonly peerPinnedBytes: number;
  readonly peerCapacityBytes: number;
  /** Cache blocks evicted since the store was made. */
  readonly evictions: number;
}
