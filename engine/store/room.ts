// The block store's accounting units and the one decision made before a write changes anything:
// does the block fit once every cache block it may evict is gone? Pinned blocks never move, so
// that is a sum over pinned charges: the namespace's (quota, block cap), the peers' (what this
// node lends) and everyone's (the memory cap). A write that does not grow what its namespace holds
// (a same-size or shrinking overwrite) is never refused for room, so a namespace over a lowered
// limit can still shrink. Each refusal has its stable code and says which limit, how much is
// pinned and what the block needed.

import { ErrorCodes, MemCloudError } from '../errors';
import { BLOCK_OVERHEAD_BYTES } from './block-cost';
import { namespaceLabel } from './block-input';
import type { EvictableSet } from './evictable-set';
import { formatSize } from './sizes';

/** Blocks that share a limit: this node's own ('self'), or all peers' (what the node lends). */
export interface Pool {
  /** Its cache blocks, all namespaces together. */
  readonly cache: EvictableSet;
  /** Charged bytes of pinned and of cache blocks. */
  pinned: number;
  cached: number;
  capacity: number;
}

/** One namespace: its blocks by id, its cache blocks, its charged bytes. */
export interface Space {
  readonly name: string;
  readonly index: number;
  readonly pool: Pool;
  readonly slots: Map<string, number>;
  readonly cache: EvictableSet;
  pinned: number;
  cached: number;
}

export interface RoomQuery {
  readonly ns: string;
  readonly space: Space | undefined;
  readonly isNew: boolean;
  /** The new block's charge, and the charge of the block it replaces (0 for a new block). */
  readonly charge: number;
  readonly replacedCharge: number;
  readonly pool: Pool;
  readonly quota: number;
  readonly maxBlocks: number;
  readonly capacity: number;
  /** All pinned charges in the store. */
  readonly pinnedBytes: number;
  /** The charge of the block this write replaces if that one is pinned, else 0. */
  readonly replacedPinned: number;
}

/** Throws the write's refusal when pinned blocks leave it no room; returns when evicting makes room. */
export function checkRoom(q: RoomQuery): void {
  const pinnedBlocks = q.space === undefined ? 0 : q.space.slots.size - q.space.cache.size;
  if (q.isNew && pinnedBlocks + 1 > q.maxBlocks) {
    throw new MemCloudError(ErrorCodes.QUOTA_EXCEEDED,
      `block limit reached for ${namespaceLabel(q.ns)}: it holds ${pinnedBlocks} pinned blocks, the most allowed (${q.maxBlocks})`);
  }
  if (q.charge <= q.replacedCharge) return;
  const ownPinned = (q.space?.pinned ?? 0) - q.replacedPinned;
  if (ownPinned + q.charge > q.quota) {
    throw new MemCloudError(ErrorCodes.QUOTA_EXCEEDED,
      `quota exceeded for ${namespaceLabel(q.ns)}: ${formatSize(ownPinned)} pinned of ${formatSize(q.quota)} allowed; ${need(q.charge)}`);
  }
  const poolPinned = q.pool.pinned - q.replacedPinned;
  if (poolPinned + q.charge > q.pool.capacity) {
    throw new MemCloudError(ErrorCodes.MEMORY_FULL,
      `no room: pinned blocks of peers take ${formatSize(poolPinned)} of the ${formatSize(q.pool.capacity)} this node lends; ${need(q.charge)}`);
  }
  const allPinned = q.pinnedBytes - q.replacedPinned;
  if (allPinned + q.charge > q.capacity) {
    throw new MemCloudError(ErrorCodes.MEMORY_FULL,
      `memory full: ${formatSize(allPinned)} pinned of ${formatSize(q.capacity)}, no room even after evicting every cache block; ${need(q.charge)}`);
  }
}

function need(charge: number): string {
  return `this block needs ${formatSize(charge)} (its data plus ${BLOCK_OVERHEAD_BYTES} B)`;
}

export function validSampleSize(n: number): number {
  if (!Number.isSafeInteger(n) || n < 1 || n > 1024) {
    throw new MemCloudError(ErrorCodes.BAD_ARGUMENT, `sampleSize must be a whole number from 1 to 1024 (got ${n})`);
  }
  return n;
}

export function badListArgument(name: string, value: number): MemCloudError {
  return new MemCloudError(ErrorCodes.BAD_ARGUMENT, `list ${name} must be a whole number${name === 'limit' ? ', 1 or more' : ', 0 or more'} (got ${value})`);
}
