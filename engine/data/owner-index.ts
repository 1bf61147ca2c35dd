// What this node owns: every block it stored (alone, as a key's value, or as a stream chunk), with
// its size, content hash and holders; keys; streams. Holders only see opaque ids. Only the catalog
// (catalog.ts) changes it; others read it through the catalog.

import type { Durability } from '../api/types';
import type { HolderId } from '../cluster/replica-io';
import { chargedOn } from './stored-size';

export type { HolderId };

/** What a block belongs to: a key, a stream (as its chunk `index`), or nothing (a stored block). */
export type BlockParent =
  | { readonly kind: 'key'; readonly key: string }
  | { readonly kind: 'stream'; readonly id: string; readonly index: number }
  | null;

/** A block's record. Only its holders and wanted count change (a new version is a new block). */
export interface BlockRecord {
  readonly id: string;
  readonly size: number;
  /** SHA-256 of the content (64 lowercase hex digits), checked on every load. */
  readonly hash: string;
  readonly durability: Durability;
  /** Replicas wanted. */
  wanted: number;
  /** Replaced whole on every change, never changed in place. */
  holders: readonly HolderId[];
  readonly createdAt: number;
  readonly parent: BlockParent;
}

/**
 * A cache block every holder evicted: no replica is left and none is wanted (it is never
 * re-replicated). Its record stays so the item reads as evicted rather than unknown; freeing or
 * writing it again removes it. Only a cache block can be in this state.
 */
export function isEvicted(r: Pick<BlockRecord, 'holders' | 'wanted'>): boolean {
  return r.wanted === 0 && r.holders.length === 0;
}

export interface StreamRecord {
  readonly id: string;
  readonly name: string;
  readonly size: number;
  readonly chunks: readonly string[];
  readonly digest: string;
  readonly format: 'file' | 'folder';
  readonly durability: Durability;
  readonly createdAt: number;
}

/** Read-only views of the maps; every change goes through a method so `version` moves. */
export class OwnerIndex {
  private readonly blockMap = new Map<string, BlockRecord>();
  private readonly keyMap = new Map<string, string>();
  private readonly streamMap = new Map<string, StreamRecord>();
  private readonly byHolder = new Map<HolderId, Set<string>>();
  private readonly bytesByHolder = new Map<HolderId, number>();
  /** Incremented by every change (the index file is saved when it moves). */
  version = 0;

  get blocks(): ReadonlyMap<string, BlockRecord> {
    return this.blockMap;
  }

  /** key -> block id */
  get keys(): ReadonlyMap<string, string> {
    return this.keyMap;
  }

  get streams(): ReadonlyMap<string, StreamRecord> {
    return this.streamMap;
  }

  add(record: BlockRecord): void {
    this.version++;
    this.blockMap.set(record.id, record);
    for (const h of record.holders) this.link(h, record.id);
  }

  setKey(key: string, blockId: string): void {
    this.version++;
    this.keyMap.set(key, blockId);
  }

  deleteKey(key: string): void {
    this.version++;
    this.keyMap.delete(key);
  }

  setStream(record: StreamRecord): void {
    this.version++;
    this.streamMap.set(record.id, record);
  }

  deleteStream(id: string): void {
    this.version++;
    this.streamMap.delete(id);
  }

  /** Forgets every block, key and stream. */
  clear(): void {
    this.version++;
    this.blockMap.clear();
    this.keyMap.clear();
    this.streamMap.clear();
    this.byHolder.clear();
    this.bytesByHolder.clear();
  }

  /** Forgets a block. Its record keeps its holders (callers free the block there). */
  remove(id: string): void {
    const r = this.blockMap.get(id);
    if (!r) return;
    this.version++;
    for (const h of r.holders) this.unlink(h, r);
    this.blockMap.delete(id);
  }

  /** Sets a block's holders and the replicas it should have. */
  setHolders(id: string, holders: readonly HolderId[], wanted: number): void {
    const r = this.blockMap.get(id);
    if (!r) return;
    this.version++;
    for (const h of r.holders) if (!holders.includes(h)) this.unlink(h, r);
    for (const h of holders) if (!r.holders.includes(h)) this.link(h, id);
    // A new array: a list a caller read before stays as it was.
    r.holders = [...holders];
    r.wanted = wanted;
  }

  /** Block ids with a replica on this holder. */
  blocksOn(holder: HolderId): string[] {
    return [...(this.byHolder.get(holder) ?? [])];
  }

  holdsOn(holder: HolderId, id: string): boolean {
    return this.byHolder.get(holder)?.has(id) ?? false;
  }

  /** Bytes a holder charges us for what we keep there (its per-block overhead included). */
  bytesOn(holder: HolderId): number {
    return this.bytesByHolder.get(holder) ?? 0;
  }

  private unlink(holder: HolderId, r: BlockRecord): void {
    this.byHolder.get(holder)?.delete(r.id);
    this.bytesByHolder.set(holder, (this.bytesByHolder.get(holder) ?? 0) - chargedOn(r));
  }

  private link(holder: HolderId, id: string): void {
    let set = this.byHolder.get(holder);
    if (!set) this.byHolder.set(holder, (set = new Set()));
    set.add(id);
    this.bytesByHolder.set(holder, (this.bytesByHolder.get(holder) ?? 0) + storedSizeOf(this.blockMap.get(id)));
  }
}

function storedSizeOf(r: BlockRecord | undefined): number {
  return r ? chargedOn(r) : 0;
}
