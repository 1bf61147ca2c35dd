// Our blocks on their holders. A block is sealed (block-seal.ts) and written to its replicas before
// the catalog maps it (so a crash never leaves the map pointing at nothing), read from the nearest
// replica that opens as exactly that block, and freed on its holders once the catalog has dropped
// it. A replica that is missing or fails its check is dropped from the map, freed, and the block
// repaired from another. Blocks of earlier versions (stored unsealed, with a content hash) are
// still read, checked by their hash.

import { hash } from 'node:crypto';
import type { StoreOptions } from '../api/types';
import type { HolderId, ReplicaIO } from '../cluster/replica-io';
import { ErrorCodes, MemCloudError, isMemCloudError, toMemCloudError } from '../errors';
import type { Logger } from '../log/log';
import type { BlockSealer } from './block-seal';
import { chargedOn } from './stored-size';
import type { Catalog } from './catalog';
import { isEvicted, type BlockParent, type BlockRecord } from './owner-index';
import type { Repairer } from './repairer';

/** SHA-256 as hex: a short string costs far less to make, keep and compare than a 32-byte Buffer. */
export function contentHash(data: Uint8Array): string {
  return hash('sha256', data, 'hex');
}

/** Reading an item whose data the lenders evicted (what, e.g. `key "k"`, names it). */
export function evictedError(what: string): MemCloudError {
  return new MemCloudError(ErrorCodes.EVICTED, `${what} was evicted from the pool (cache data: a lender needed the room); store it again`);
}

/** A replica that has not answered within this long gets a second read from the next replica. */
export const HEDGE_AFTER_MS = 600;

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
      // An evicted previous version (no replica, none wanted) leaves nothing to keep.
      const wanted = previous && !isEvicted(previous) && opts.replicas === undefined && opts.target !== 'local' ? previous.wanted : this.io.wanted(opts);
      const block = { id, parent, size: data.length };
      // Small blocks are sealed here and now: no promise to wait for.
      const sealed = this.sealer.inline(block.size) ? this.sealer.seal(block, data) : await this.sealer.sealAsync(block, data);
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
        entry.bytes += chargedOn(r);
        byHolder.set(h, entry);
      }
    }
    await Promise.all([...byHolder].map(([h, e]) => this.io.free(h, e.ids, e.bytes)));
  }

  /** A block's content, from the nearest replica that passes its check. */
  read(id: string): Promise<Uint8Array> {
    return this.fetch(id, false);
  }

  /** A block as its holders keep it (sealed), checked: for copying it to another holder. */
  readStored(id: string): Promise<Uint8Array> {
    return this.fetch(id, true);
  }

  /**
   * Loads and checks a block from its readable replicas, nearest first, hedged: a replica that has
   * not answered within HEDGE_AFTER_MS (a frozen or overloaded holder) gets company from the next
   * one, and a replica that fails hands over at once; the first replica that opens wins. So a
   * frozen holder costs a read about HEDGE_AFTER_MS, never the request timeout. Resolves with the
   * content, or with the sealed bytes when `stored`.
   */
  private fetch(id: string, stored: boolean): Promise<Uint8Array> {
    const record = this.catalog.blocks.get(id);
    if (!record) return Promise.reject(new MemCloudError(ErrorCodes.NOT_FOUND, `no block ${id}`));
    if (isEvicted(record)) return Promise.reject(evictedError(`block ${id}`));
    const order = this.readOrder(record.holders);
    if (order.length === 0) {
      const names = record.holders.map((h) => this.io.name(h)).join(', ') || 'none left';
      return Promise.reject(new MemCloudError(ErrorCodes.PEER_GONE, `no holder of block ${id} is connected (${names})`));
    }
    if (order.length === 1) return this.attempt(record, order[0]!, stored);
    return new Promise<Uint8Array>((resolve, reject) => {
      let next = 0;
      let running = 0;
      let settled = false;
      let lastError: MemCloudError | null = null;
      let hedge: NodeJS.Timeout | undefined;
      const launch = (): void => {
        clearTimeout(hedge);
        if (settled) return;
        if (next >= order.length) {
          if (running === 0) {
            settled = true;
            reject(lastError ?? new MemCloudError(ErrorCodes.NOT_FOUND, `block ${id} is lost`));
          }
          return;
        }
        running++;
        this.attempt(record, order[next++]!, stored).then(
          (bytes) => {
            running--;
            if (settled) return;
            settled = true;
            clearTimeout(hedge);
            resolve(bytes);
          },
          (err: unknown) => {
            running--;
            lastError = toMemCloudError(err);
            launch();
          },
        );
        if (next < order.length) hedge = setTimeout(launch, HEDGE_AFTER_MS);
      };
      launch();
    });
  }

  /**
   * One replica: read, then checked; a missing or corrupt one is dropped and repaired. A small
   * block opens synchronously as its bytes arrive (no promise between the reply and the value).
   */
  private attempt(record: BlockRecord, h: HolderId, stored: boolean): Promise<Uint8Array> {
    return this.io.read(h, record.id).then(
      (bytes) => {
        if (record.hash !== '' || !this.sealer.inline(record.size)) return this.checkedAsync(record, h, bytes, stored);
        let plain: Uint8Array;
        try {
          plain = this.sealer.open(record, bytes);
        } catch (err) {
          throw this.corruptReplica(record, h, err);
        }
        return stored ? bytes : plain;
      },
      (err: unknown) => {
        const e = toMemCloudError(err);
        if (e.code === ErrorCodes.NOT_FOUND || e.code === ErrorCodes.CORRUPT_BLOCK) this.replicaLost(record, h);
        throw e;
      },
    );
  }

  /** A replica checked by its content hash (earlier versions) or opened in the crypto pool. */
  private async checkedAsync(record: BlockRecord, h: HolderId, bytes: Uint8Array, stored: boolean): Promise<Uint8Array> {
    let plain: Uint8Array;
    try {
      if (record.hash === '') plain = await this.sealer.openAsync(record, bytes);
      else if (contentHash(bytes) !== record.hash) throw new MemCloudError(ErrorCodes.CORRUPT_BLOCK, 'content hash mismatch');
      else plain = bytes;
    } catch (err) {
      throw this.corruptReplica(record, h, err);
    }
    return stored ? bytes : plain;
  }

  /** A replica failed its check: logged, dropped and repaired; the error to hand on. */
  private corruptReplica(record: BlockRecord, h: HolderId, err: unknown): MemCloudError {
    this.log.warn(`corrupt replica of block ${record.id} on ${this.io.name(h)}: ${isMemCloudError(err) ? err.message : String(err)}; using another`);
    this.replicaLost(record, h);
    return new MemCloudError(ErrorCodes.CORRUPT_BLOCK, `every replica of block ${record.id} failed its check`);
  }

  /** A replica is not there or is corrupt: drop it from the map, free what is left of it, repair. */
  private replicaLost(record: BlockRecord, holder: HolderId): void {
    void this.catalog.removeHolder(record.id, holder).then(() => {
      void this.io.free(holder, [record.id], chargedOn(record));
      this.repairer.enqueue(record.id);
    }, () => undefined);
  }

  /** Zeroes what the sealer keeps of its subkeys (the engine is stopping). */
  close(): void {
    this.sealer.forget();
  }

  /** Readable holders, nearest first. */
  private readOrder(holders: readonly HolderId[]): HolderId[] {
    if (holders.length === 1) return this.io.isReadable(holders[0]!) ? [holders[0]!] : [];
    return holders.filter((h) => this.io.isReadable(h)).sort((a, b) => this.io.rank(a) - this.io.rank(b));
  }
}
