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
  /**
   * Told how many bytes the write adds (negative when it shrinks a block it replaces) once that is
   * known and before anything changes; throwing refuses the write. For limits the store does not
   * know about, such as what a holder lends to all peers together.
   */
  readonly admit?: (growth: number) => void;
  /**
   * Replacing a block of the same size may copy the new bytes into the stored array instead of
   * allocating another one (no garbage per overwrite). Only for callers that never keep an array
   * get() returned for this namespace beyond the synchronous call that read it.
   */
  readonly reuse?: boolean;
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
