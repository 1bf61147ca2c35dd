// What the API says about our data: block refs, stream descriptions and the listing, built from
// the catalog's records and the holders' names and liveness. Read-only.

import { LOCAL_HOLDER, type BlockRef, type DataItem, type ReplicaInfo, type StreamInfo } from '../api/types';
import { SELF } from '../store/self';
import type { HolderId, ReplicaIO } from '../cluster/replica-io';
import type { Catalog } from './catalog';
import { isEvicted, type BlockRecord, type StreamRecord } from './owner-index';

export class DataView {
  constructor(
    private readonly catalog: Catalog,
    private readonly io: Pick<ReplicaIO, 'isLive' | 'name'>,
  ) {}

  blockRef(r: BlockRecord): BlockRef {
    return { id: r.id, size: r.size, replicas: this.replicas(r.holders) };
  }

  stream(s: StreamRecord): StreamInfo {
    const holders = new Set<HolderId>();
    for (const c of s.chunks) for (const h of this.catalog.blocks.get(c)?.holders ?? []) holders.add(h);
    return { id: s.id, name: s.name, size: s.size, chunks: s.chunks.length, digest: s.digest, format: s.format, replicas: this.replicas([...holders]) };
  }

  list(): DataItem[] {
    const { blocks, keys, streams } = this.catalog;
    const items: DataItem[] = [];
    for (const r of blocks.values()) {
      if (r.parent === null) items.push(this.item(r.id, 'block', `block ${r.id.slice(0, 8)}`, r.size, r.durability, r.createdAt, [r]));
    }
    for (const [key, id] of keys) {
      const r = blocks.get(id);
      if (r) items.push(this.item(key, 'key', key, r.size, r.durability, r.createdAt, [r]));
    }
    for (const s of streams.values()) {
      const chunks = s.chunks.map((c) => blocks.get(c)).filter((r): r is BlockRecord => r !== undefined);
      items.push({ ...this.item(s.id, 'stream', s.name, s.size, s.durability, s.createdAt, chunks, chunks.length < s.chunks.length), format: s.format });
    }
    return items.sort((a, b) => b.createdAt - a.createdAt);
  }

  private replicas(holders: readonly HolderId[]): ReplicaInfo[] {
    return holders.map((h) => ({ holder: h === SELF ? LOCAL_HOLDER : h, holderName: this.io.name(h) }));
  }

  private item(id: string, kind: DataItem['kind'], name: string, size: number, durability: DataItem['durability'], createdAt: number, blocks: readonly BlockRecord[], lost = false): DataItem {
    const holders = new Set<HolderId>();
    let degraded = lost;
    let evicted = false;
    for (const b of blocks) {
      if (isEvicted(b)) evicted = true;
      const live = b.holders.filter((h) => this.io.isLive(h));
      if (live.length < b.wanted) degraded = true;
      for (const h of b.holders) holders.add(h);
    }
    const state = evicted ? 'evicted' : degraded ? 'degraded' : 'ok';
    return { id, kind, name, size, durability, createdAt, replicas: this.replicas([...holders]), degraded, state };
  }
}
