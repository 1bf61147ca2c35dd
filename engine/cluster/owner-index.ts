// What this node owns: every block it stored (alone, as a key's value, or as a stream chunk), with
// its size, content hash and holders. The owner keeps this map; holders only see opaque ids.

import type { Durability } from '../api/types';

/** 'self' (this node's own store) or a holder's public key text. */
export type HolderId = string;

export interface BlockRecord {
  readonly id: string;
  size: number;
  /** SHA-256 of the content (64 lowercase hex digits), checked on every load. */
  hash: string;
  durability: Durability;
  /** Replicas wanted. */
  wanted: number;
  holders: HolderId[];
  readonly createdAt: number;
  /** What the block belongs to: a key, a stream, or nothing (a stored block). */
  readonly parent: { readonly kind: 'key'; readonly key: string } | { readonly kind: 'stream'; readonly id: string } | null;
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

  /** The block's content was rewritten in place. */
  rewritten(id: string, hash: string, durability: Durability): void {
    const r = this.blockMap.get(id);
    if (!r) return;
    this.version++;
    r.hash = hash;
    r.durability = durability;
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

  clearKeysAndStreams(): void {
    this.version++;
    this.keyMap.clear();
    this.streamMap.clear();
  }

  /** Forgets a block; returns it with the holders it had (so the caller can free them there). */
  remove(id: string): { record: BlockRecord; holders: HolderId[] } | undefined {
    const r = this.blockMap.get(id);
    if (!r) return undefined;
    this.version++;
    const holders = [...r.holders];
    for (const h of holders) this.removeHolder(id, h);
    this.blockMap.delete(id);
    return { record: r, holders };
  }

  /** A block's content was replaced (same id, maybe another size). */
  resize(id: string, size: number): void {
    const r = this.blockMap.get(id);
    if (!r || r.size === size) return;
    this.version++;
    for (const h of r.holders) this.bytesByHolder.set(h, (this.bytesByHolder.get(h) ?? 0) + size - r.size);
    r.size = size;
  }

  addHolder(id: string, holder: HolderId): void {
    const r = this.blockMap.get(id);
    if (!r || r.holders.includes(holder)) return;
    this.version++;
    r.holders.push(holder);
    this.link(holder, id);
  }

  removeHolder(id: string, holder: HolderId): void {
    const r = this.blockMap.get(id);
    if (!r) return;
    const i = r.holders.indexOf(holder);
    if (i < 0) return;
    this.version++;
    r.holders.splice(i, 1);
    this.byHolder.get(holder)?.delete(id);
    this.bytesByHolder.set(holder, (this.bytesByHolder.get(holder) ?? 0) - r.size);
  }

  /** Block ids with a replica on this holder. */
  blocksOn(holder: HolderId): string[] {
    return [...(this.byHolder.get(holder) ?? [])];
  }

  holdsOn(holder: HolderId, id: string): boolean {
    return this.byHolder.get(holder)?.has(id) ?? false;
  }

  /** Bytes we keep on a holder. */
  bytesOn(holder: HolderId): number {
    return this.bytesByHolder.get(holder) ?? 0;
  }

  private link(holder: HolderId, id: string): void {
    let set = this.byHolder.get(holder);
    if (!set) this.byHolder.set(holder, (set = new Set()));
    set.add(id);
    this.bytesByHolder.set(holder, (this.bytesByHolder.get(holder) ?? 0) + (this.blockMap.get(id)?.size ?? 0));
  }
}
