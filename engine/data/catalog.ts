// The catalog: what this node owns (blocks, keys, streams) and where each block's replicas are. It
// is the only writer of that map and the only source of 'data-changed'. Every change is a list of
// CatalogChange values applied in order, so what is kept on disk is exactly what was applied here.

import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import type { HolderId } from '../cluster/replica-io';
import type { CatalogChange } from './catalog-change';
import { OwnerIndex, type BlockRecord, type StreamRecord } from './owner-index';

export interface CatalogEvents {
  'data-changed': [];
}

/** Where applied changes go to become durable (the journal); resolves once they are. */
export type CatalogSink = (changes: readonly CatalogChange[]) => Promise<void>;

const NO_SINK: CatalogSink = () => Promise.resolve();
/** Block ids start with this many bytes of the catalog's epoch (see ownsId). */
const TAG_HEX = 8;

export class Catalog extends EventEmitter<CatalogEvents> {
  private readonly index: OwnerIndex;
  /** Ids of blocks being written: on holders maybe, in the map not yet. */
  private readonly writing = new Set<string>();
  private sink: CatalogSink = NO_SINK;
  private onClose: () => Promise<void> = () => Promise.resolve();
  private readonly tag: string;
  private readonly ids = new RandomHex(16 - TAG_HEX / 2);

  /**
   * `epoch` names this catalog's lineage (kept in its files): every block id it makes starts with
   * it, so a block on a holder is provably one of ours that the map may have forgotten.
   */
  constructor(
    index: OwnerIndex = new OwnerIndex(),
    readonly epoch: Uint8Array = randomBytes(16),
    /** Which data key seals this catalog's blocks (data-key.ts); 0 when none is bound yet. */
    readonly keyId = 0,
  ) {
    super();
    this.index = index;
    this.tag = Buffer.from(epoch).toString('hex', 0, TAG_HEX / 2);
  }

  /** Changes from now on go to `sink` before their promises resolve; `onClose` ends it. */
  persistTo(sink: CatalogSink, onClose: () => Promise<void>): void {
    this.sink = sink;
    this.onClose = onClose;
  }

  /** Makes everything durable and stops taking changes. */
  close(): Promise<void> {
    return this.onClose();
  }

  // ---- reading ----------------------------------------------------------------------------

  get blocks(): ReadonlyMap<string, BlockRecord> {
    return this.index.blocks;
  }

  /** key -> block id */
  get keys(): ReadonlyMap<string, string> {
    return this.index.keys;
  }

  get streams(): ReadonlyMap<string, StreamRecord> {
    return this.index.streams;
  }

  /** Incremented by every change. */
  get version(): number {
    return this.index.version;
  }

  blocksOn(holder: HolderId): string[] {
    return this.index.blocksOn(holder);
  }

  holdsOn(holder: HolderId, id: string): boolean {
    return this.index.holdsOn(holder, id);
  }

  bytesOn(holder: HolderId): number {
    return this.index.bytesOn(holder);
  }

  /**
   * True for an id this catalog made. A block of ours on a holder that the map does not know and
   * that is not being written is then provably unreferenced (every reference is journaled before
   * it is acknowledged); an id from elsewhere (an earlier catalog) is not ours to judge.
   */
  ownsId(id: string): boolean {
    return id.startsWith(this.tag);
  }

  /** True while a block is being written: on holders maybe, in the map not yet. */
  isWriting(id: string): boolean {
    return this.writing.has(id);
  }

  // ---- block ids ---------------------------------------------------------------------------

  /** A fresh block id, marked as being written until a change maps it or discard() drops it. */
  newBlockId(): string {
    const id = this.tag + this.ids.next();
    this.writing.add(id);
    return id;
  }

  /** The block `id` will not be mapped (its write failed or its stream was aborted). */
  discard(id: string): void {
    this.writing.delete(id);
  }

  // ---- changes: each resolves once durable ------------------------------------------------

  /** A stored block, or a chunk of a stream being written. */
  addBlock(record: BlockRecord): Promise<void> {
    return this.commit([{ t: 'block', record }]);
  }

  /** Maps `key` to a new block; the block it replaced (if any) is dropped and returned. */
  async setKey(key: string, record: BlockRecord): Promise<BlockRecord | undefined> {
    const oldId = this.index.keys.get(key);
    const old = oldId === undefined ? undefined : this.index.blocks.get(oldId);
    const changes: CatalogChange[] = [{ t: 'block', record }, { t: 'key', key, id: record.id }];
    if (oldId !== undefined && oldId !== record.id) changes.push({ t: 'unblock', id: oldId });
    await this.commit(changes);
    return old;
  }

  /** Unmaps `key` and drops its block, which is returned (undefined: no such key). */
  async deleteKey(key: string): Promise<BlockRecord | undefined> {
    const id = this.index.keys.get(key);
    if (id === undefined) return undefined;
    const record = this.index.blocks.get(id);
    await this.commit([{ t: 'unkey', key }, { t: 'unblock', id }]);
    return record;
  }

  /** Drops blocks (a freed block, the chunks of an aborted stream); returns those that were mapped. */
  async dropBlocks(ids: readonly string[]): Promise<BlockRecord[]> {
    const records: BlockRecord[] = [];
    for (const id of ids) {
      this.writing.delete(id);
      const r = this.index.blocks.get(id);
      if (r) records.push(r);
    }
    if (records.length > 0) await this.commit(records.map((r) => ({ t: 'unblock', id: r.id })));
    return records;
  }

  commitStream(record: StreamRecord): Promise<void> {
    return this.commit([{ t: 'stream', record }]);
  }

  /** Drops a stream and its chunks; returns the chunks' records (undefined: no such stream). */
  async deleteStream(id: string): Promise<BlockRecord[] | undefined> {
    const stream = this.index.streams.get(id);
    if (!stream) return undefined;
    const chunks = stream.chunks.map((c) => this.index.blocks.get(c)).filter((r): r is BlockRecord => r !== undefined);
    await this.commit([{ t: 'unstream', id }, ...chunks.map((r): CatalogChange => ({ t: 'unblock', id: r.id }))]);
    return chunks;
  }

  /** Forgets everything; returns every block record (to free on its holders). */
  async clear(): Promise<BlockRecord[]> {
    const all = [...this.index.blocks.values()];
    await this.commit([{ t: 'clear' }]);
    return all;
  }

  /** Sets a block's holders (and, when given, the replicas it should have). */
  setHolders(id: string, holders: readonly HolderId[], wanted?: number): Promise<void> {
    const r = this.index.blocks.get(id);
    if (!r) return Promise.resolve();
    return this.commit([{ t: 'holders', id, holders: [...holders], wanted: wanted ?? r.wanted }]);
  }

  addHolder(id: string, holder: HolderId): Promise<void> {
    const r = this.index.blocks.get(id);
    if (!r || r.holders.includes(holder)) return Promise.resolve();
    return this.setHolders(id, [...r.holders, holder]);
  }

  removeHolder(id: string, holder: HolderId): Promise<void> {
    const r = this.index.blocks.get(id);
    if (!r || !r.holders.includes(holder)) return Promise.resolve();
    return this.setHolders(id, r.holders.filter((h) => h !== holder));
  }

  /** Applies changes here and hands them to the sink; resolves once they are durable. */
  commit(changes: readonly CatalogChange[]): Promise<void> {
    for (const c of changes) this.apply(c);
    this.emit('data-changed');
    const durable = this.sink(changes);
    durable.catch(() => undefined); // background changes need not wait; those who do see the error
    return durable;
  }

  private apply(c: CatalogChange): void {
    applyChange(this.index, c);
    if (c.t === 'block') this.writing.delete(c.record.id);
  }
}

/** Random hex strings of `bytes` bytes, cut from a pooled buffer (one system call per 4096 ids). */
class RandomHex {
  private pool = Buffer.alloc(0);
  private offset = 0;

  constructor(private readonly bytes: number) {}

  next(): string {
    if (this.offset + this.bytes > this.pool.length) {
      this.pool = randomBytes(this.bytes * 4096);
      this.offset = 0;
    }
    const s = this.pool.toString('hex', this.offset, this.offset + this.bytes);
    this.offset += this.bytes;
    return s;
  }
}

/** Applies one change to an index: the one definition used live, on replay and in tests. */
export function applyChange(index: OwnerIndex, c: CatalogChange): void {
  switch (c.t) {
    case 'block':
      // The index keeps the record itself: records are never changed but by the index, which
      // replaces a record's holder list rather than changing it.
      index.remove(c.record.id);
      index.add(c.record);
      return;
    case 'holders':
      index.setHolders(c.id, c.holders, c.wanted);
      return;
    case 'unblock':
      index.remove(c.id);
      return;
    case 'key':
      index.setKey(c.key, c.id);
      return;
    case 'unkey':
      index.deleteKey(c.key);
      return;
    case 'stream':
      index.setStream(c.record);
      return;
    case 'unstream':
      index.deleteStream(c.id);
      return;
    case 'clear':
      index.clear();
      return;
    default: {
      const never: never = c;
      throw new Error(`unknown catalog change ${String(never)}`);
    }
  }
}
