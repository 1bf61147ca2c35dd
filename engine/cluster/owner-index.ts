// What this node owns: every block it stored (alone, as a key's value, or as a stream chunk), with
// its size, content hash and holders. The owner keeps this map; holders only see opaque ids.

import type { Durability } from '../api/types';

/** 'self' (this node's own store) or a holder's public key text. */
export type HolderId = string;

export interface BlockRecord {
  readonly id: string;
  size: number;
  /** SHA-256 of the content, checked on every load. */
  hash: Buffer;
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
  readonly durability: Durability;
  readonly createdAt: number;
}

export class OwnerIndex {
  readonly blocks = new Map<string, BlockRecord>();
  /** key -> block id */
  readonly keys = new Map<string, string>();
  readonly streams = new Map<string, StreamRecord>();
  private readonly byHolder = new Map<HolderId, Set<string>>();
  private readonly bytesByHolder = new Map<HolderId, number>();

  add(record: BlockRecord): void {
    this.blocks.set(record.id, record);
    for (const h of record.holders) this.link(h, record.id);
  }

  /** Forgets a block; returns it with the holders it had (so the caller can free them there). */
  remove(id: string): { record: BlockRecord; holders: HolderId[] } | undefined {
    const r = this.blocks.get(id);
    if (!r) return undefined;
    const holders = [...r.holders];
    for (const h of holders) this.removeHolder(id, h);
    this.blocks.delete(id);
    return { record: r, holders };
  }

  /** A block's content was replaced (same id, maybe another size). */
  resize(id: string, size: number): void {
    const r = this.blocks.get(id);
    if (!r) return;
    for (const h of r.holders) this.bytesByHolder.set(h, (this.bytesByHolder.get(h) ?? 0) + size - r.size);
    r.size = size;
  }

  addHolder(id: string, holder: HolderId): void {
    const r = this.blocks.get(id);
    if (!r || r.holders.includes(holder)) return;
    r.holders.push(holder);
    this.link(holder, id);
  }

  removeHolder(id: string, holder: HolderId): void {
    const r = this.blocks.get(id);
    if (!r) return;
    const i = r.holders.indexOf(holder);
    if (i < 0) return;
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
    this.bytesByHolder.set(holder, (this.bytesByHolder.get(holder) ?? 0) + (this.blocks.get(id)?.size ?? 0));
  }
}
