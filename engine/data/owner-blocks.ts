// Our blocks on their holders. A block is sealed (block-seal.ts) and written to its replicas before
// the catalog maps it (so a crash never leaves the map pointing at nothing), read from the nearest
// replica that opens as exactly that block, and freed on its holders once the catalog has dropped
// it. A replica that is missing or fails its check is dropped from the map, freed, and the block
// repaired from another. Blocks of earlier versions (stored unsealed, with a content hash) are
// still read, checked by their hash.

import { hash } from 'node:crypto';
import type { StoreOptions } from '../api/types';
import type { HolderId, ReplicaIO } from '../cluster/replica-io';
import { ErrorCodes, MemCloudError, isMemCloudError } from '../errors';
import type { Logger } from '../log/log';
import type { BlockSealer } from './block-seal';
import { storedSize } from './stored-size';
import type { Catalog } from './catalog';
import type { BlockParent, BlockRecord } from './owner-index';
import type { Repairer } from './repairer';

/** SHA-256 as hex: a short string costs far less to make, keep and compare than a 32-byte Buffer. */
export function contentHash(data: Uint8Array): string {
  return hash('sha256', data, 'hex');
}

export class OwnerBlocks {
  constructor(
    private readonly io: ReplicaIO,
    private readonly catalog: Catalog,
    private readonly repairer: Repairer,
    private readonly log: Logger,
    private readonly sealer: BlockSealer,
  ) {}

  /**
   * Writes a new block to its replicas and returns its record, not yet mapped: the caller commits
   * it to the catalog, then calls settled(). `previous` is the version it replaces (its holders are
   * preferred, its durability and replica count kept unless `opts` says otherwise).
   */
  async write(data: Uint8Array, opts: StoreOptions, parent: BlockParent, previous?: BlockRecord): Promise<BlockRecord> {
    const id = this.catalog.newBlockId();
    try {
      const durability = opts.durability ?? previous?.durability ?? 'pinned';
      const wanted = previous && opts.replicas === undefined && opts.target !== 'local' ? previous.wanted : this.io.wanted(opts);
      const sealed = await this.sealer.sealAsync({ id, parent, size: data.length }, data);
      const holders = await this.io.writeReplicas(id, durability, sealed, { wanted, target: opts.target ?? 'auto', prefer: previous?.holders ?? [] });
      return { id, size: data.length, hash: '', durability, wanted, holders, createdAt: Date.now(), parent };
    } catch (err) {
      this.catalog.discard(id);
      throw err;
    }
  }

  /** After the catalog mapped `record`: a block short of replicas is repaired, the one it replaced freed. */
  settled(record: BlockRecord, replaced?: BlockRecord): void {
    if (record.holders.length < record.wanted) this.repairer.enqueue(record.id);
    if (replaced) void this.free([replaced]);
  }

  /** Frees blocks the catalog no longer maps, on every holder they had. */
  async free(records: readonly BlockRecord[]): Promise<void> {
    const byHolder = new Map<HolderId, { ids: string[]; bytes: number }>();
    for (const r of records) {
      for (const h of r.holders) {
        const entry = byHolder.get(h) ?? { ids: [], bytes: 0 };
        entry.ids.push(r.id);
        entry.bytes += storedSize(r);
        byHolder.set(h, entry);
      }
    }
    await Promise.all([...byHolder].map(([h, e]) => this.io.free(h, e.ids, e.bytes)));
  }

  /** A block's content, from the nearest replica that passes its check. */
  async read(id: string): Promise<Uint8Array> {
    return (await this.fetch(id)).plain;
  }

  /** A block as its holders keep it (sealed), checked: for copying it to another holder. */
  async readStored(id: string): Promise<Uint8Array> {
    return (await this.fetch(id)).stored;
  }

  /** Loads and checks a block, trying each readable replica, nearest first. */
  private async fetch(id: string): Promise<{ stored: Uint8Array; plain: Uint8Array }> {
    const record = this.catalog.blocks.get(id);
    if (!record) throw new MemCloudError(ErrorCodes.NOT_FOUND, `no block ${id}`);
    const order = this.readOrder(record.holders);
    let lastError: MemCloudError | null = null;
    for (const h of order) {
      let stored: Uint8Array;
      try {
        stored = await this.io.read(h, id);
      } catch (err) {
        lastError = isMemCloudError(err) ? err : new MemCloudError(ErrorCodes.INTERNAL, String(err));
        if (lastError.code !== ErrorCodes.NOT_FOUND && lastError.code !== ErrorCodes.CORRUPT_BLOCK) continue;
        this.replicaLost(record, h);
        continue;
      }
      try {
        return { stored, plain: await this.open(record, stored) };
      } catch (err) {
        this.log.warn(`corrupt replica of block ${id} on ${this.io.name(h)}: ${isMemCloudError(err) ? err.message : String(err)}; using another`);
        lastError = new MemCloudError(ErrorCodes.CORRUPT_BLOCK, `every replica of block ${id} failed its check`);
      }
      this.replicaLost(record, h);
    }
    if (order.length === 0) {
      throw new MemCloudError(ErrorCodes.PEER_GONE, `no holder of block ${id} is connected (${record.holders.map((h) => this.io.name(h)).join(', ') || 'none left'})`);
    }
    throw lastError ?? new MemCloudError(ErrorCodes.NOT_FOUND, `block ${id} is lost`);
  }

  /** The content of a replica as stored; throws CORRUPT_BLOCK unless it is exactly this block. */
  private async open(record: BlockRecord, stored: Uint8Array): Promise<Uint8Array> {
    if (record.hash === '') return this.sealer.openAsync(record, stored);
    if (contentHash(stored) !== record.hash) throw new MemCloudError(ErrorCodes.CORRUPT_BLOCK, 'content hash mismatch');
    return stored;
  }

  /** A replica is not there or is corrupt: drop it from the map, free what is left of it, repair. */
  private replicaLost(record: BlockRecord, holder: HolderId): void {
    void this.catalog.removeHolder(record.id, holder).then(() => {
      void this.io.free(holder, [record.id], storedSize(record));
      this.repairer.enqueue(record.id);
    }, () => undefined);
  }

  /** Readable holders, nearest first. */
  private readOrder(holders: readonly HolderId[]): HolderId[] {
    if (holders.length === 1) return this.io.isReadable(holders[0]!) ? [holders[0]!] : [];
    return holders.filter((h) => this.io.isReadable(h)).sort((a, b) => this.io.rank(a) - this.io.rank(b));
  }
}
