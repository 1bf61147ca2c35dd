// The owner's narrow view of replica I/O: what the data layer (engine/data) may ask of the
// cluster. The cluster keeps no map of what this node owns; the catalog does, and decides.

import type { Durability, StoreOptions } from '../api/types';
import type { Candidate } from './placement';

/** 'self' (this node's own store) or a holder's public key text. */
export type HolderId = string;

export interface ReplicaPlan {
  readonly wanted: number;
  readonly target: NonNullable<StoreOptions['target']>;
  /** Holders to prefer (an earlier version's): the block goes back to the live ones first. */
  readonly prefer: readonly HolderId[];
}

export interface ReplicaIO {
  /** Replicas to keep for a new block stored with `opts`. */
  wanted(opts: StoreOptions): number;
  /**
   * Writes a block to `plan.wanted` holders (placement by room), replacing each holder that fails
   * with another one, once. Resolves with the holders that took it (maybe fewer than wanted);
   * rejects with the holders' error (QUOTA_EXCEEDED, NO_PEERS, ...) when none did.
   */
  writeReplicas(id: string, durability: Durability, data: Uint8Array, plan: ReplicaPlan): Promise<HolderId[]>;
  /** Writes one replica on one holder. */
  write(holder: HolderId, id: string, durability: Durability, data: Uint8Array): Promise<void>;
  /** Reads one replica from one holder, as stored (the caller checks it). */
  read(holder: HolderId, id: string): Promise<Uint8Array>;
  /** Frees replicas on a holder (batched with others of the same moment); never rejects. */
  free(holder: HolderId, ids: readonly string[], bytes: number): Promise<void>;
  /** Every block id of ours the holder says it keeps. */
  list(holder: HolderId): Promise<string[]>;
  /** Connected holders (peers), for sweeping them. */
  connected(): HolderId[];
  /** Holders with room for `size` more bytes, other than `exclude`. */
  candidates(size: number, exclude?: readonly HolderId[]): Candidate[];
  /** Usable for new replicas and reads (connected, not leaving). */
  isLive(holder: HolderId): boolean;
  /** Readable (connected, maybe leaving). */
  isReadable(holder: HolderId): boolean;
  /** Lower is nearer: reads try nearer holders first. */
  rank(holder: HolderId): number;
  name(holder: HolderId): string;
}
