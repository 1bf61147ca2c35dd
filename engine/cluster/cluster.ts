// The owner's side of the RAM pool: places blocks on trusted peers (power of two choices, r
// replicas), keeps the block map, loads with content-hash checks and fails over to another replica,
// frees everywhere, and hands lost or leaving replicas to the repairer.

import { EventEmitter } from 'node:events';
import { hash, randomBytes } from 'node:crypto';
import type { Durability, StoreOptions } from '../api/types';
import { ErrorCodes, MemCloudError, isMemCloudError } from '../errors';
import type { Logger } from '../log/log';
import type { Session } from '../session/session-manager';
import type { BlockStore, EvictedBlock } from '../store/block-store';
import { HolderLinks } from './holder-links';
import { HolderService, SELF, type HolderPolicy } from './holder-service';
import { OwnerIndex, type BlockRecord, type HolderId } from './owner-index';
import type { PeerLink } from './peer-link';
import { Op, encodeLeaving, type PeerNotice } from './peer-protocol';
import { chooseHolders, type Candidate } from './placement';
import { formatSize } from '../store/sizes';
import { Repairer } from './repairer';
import { sameMembers, writeEach, type WriteOutcome } from './replica-writes';

export interface ClusterOptions {
  readonly store: BlockStore;
  readonly policy: HolderPolicy;
  readonly log: Logger;
  /** Default replicas when two or more peers are connected. */
  readonly replicas: () => number;
  /** Wait this long after a holder disconnects before re-replicating its blocks. */
  readonly repairDelayMs?: number;
  /** The map restored from the home (owner-index.json), if any. */
  readonly index?: OwnerIndex;
  /** After a restart, holders get this long to reconnect before their blocks count as lost. */
  readonly startupGraceMs?: number;
}

export interface ClusterEvents {
  'peers-changed': [];
  'data-changed': [];
}

export function newBlockId(): string {
  return randomBytes(16).toString('hex');
}

/** SHA-256 as hex: a short string costs far less to make, keep and compare than a 32-byte Buffer. */
export function contentHash(data: Uint8Array): string {
  return hash('sha256', data, 'hex');
}

const NO_HOLDERS: readonly HolderId[] = Object.freeze([]);

export class Cluster extends EventEmitter<ClusterEvents> {
  readonly index: OwnerIndex;
  readonly holder: HolderService;
  readonly links: HolderLinks;
  private readonly repairer: Repairer;
  private readonly goneTimers = new Map<string, NodeJS.Timeout>();
  /** Blocks being written (new ones are not in the index until their replicas are). */
  private readonly writing = new Set<string>();

  constructor(private readonly opts: ClusterOptions) {
    super();
    this.index = opts.index ?? new OwnerIndex();
    this.holder = new HolderService(opts.store, opts.policy, { notice: (l, n) => this.onNotice(l, n) }, (pk) => this.links.linkFor(pk));
    this.links = new HolderLinks(this.holder, (l, err) => {
      opts.log.warn(`protocol error from ${l.name} (${l.fingerprint}): ${err.message}; closing the session`);
      l.session.channel.abort(err);
    });
    this.repairer = new Repairer(this, opts.log, this.index.blocks.size > 0 ? (opts.startupGraceMs ?? 30_000) : 0);
  }

  // ---- peers ----------------------------------------------------------------------------------

  attach(session: Session): void {
    const link = this.links.attach(session);
    clearTimeout(this.goneTimers.get(link.publicKey));
    this.goneTimers.delete(link.publicKey);
    link.once('close', () => this.detach(link));
    void this.links.refreshStat(link.publicKey).then(() => this.reconcile(link));
    this.repairer.wake();
    this.emit('peers-changed');
  }

  linkFor(publicKey: string): PeerLink | undefined {
    return this.links.linkFor(publicKey);
  }

  connectedLinks(): PeerLink[] {
    return this.links.connectedLinks();
  }

  isLive(holder: HolderId): boolean {
    return this.links.isLive(holder);
  }

  isReadable(holder: HolderId): boolean {
    return this.links.isReadable(holder);
  }

  // ---- blocks ---------------------------------------------------------------------------------

  /** Replicas to keep for a new block. */
  wantedReplicas(opts: StoreOptions): number {
    if (opts.target === 'local') return 1;
    if (opts.replicas !== undefined) return opts.replicas;
    return this.links.liveCount(2) >= 2 ? this.opts.replicas() : 1;
  }

  /**
   * Stores a block (new, or replacing `id`'s content) with its replicas. Refuses with the holders'
   * error (QUOTA_EXCEEDED, MEMORY_FULL, ...) when no replica could be written; a block stored with
   * fewer replicas than wanted is repaired in the background.
   */
  async storeBlock(data: Uint8Array, opts: StoreOptions, existing?: BlockRecord, parent: BlockRecord['parent'] = null): Promise<BlockRecord> {
    const id = existing?.id ?? newBlockId();
    // Until the index maps it, a reconcile must not take the block for an orphan and free it.
    this.writing.add(id);
    try {
      const durability = opts.durability ?? existing?.durability ?? 'pinned';
      const wanted = existing?.wanted ?? this.wantedReplicas(opts);
      const digest = contentHash(data);
      const target = opts.target ?? 'auto';
      let holders = this.placeReplicas(data.length, wanted, target, existing);
      if (holders.length === 0) {
        // Our estimates may be stale (evictions, frees by others): ask the holders once.
        await this.links.refreshStats();
        holders = chooseHolders(this.links.candidates(data.length), wanted, data.length);
        if (holders.length === 0) throw this.noRoom(data.length);
      }
      const out: WriteOutcome = { written: [], failed: [], error: null };
      let queue = holders;
      let tried: Set<HolderId> | null = null;
      for (;;) {
        await writeEach(queue, (h) => this.writeTo(h, id, durability, data), out);
        if (out.failed.length === 0 || target === 'local') break;
        // Replace each failed holder with another candidate, once.
        tried ??= new Set([...out.written, ...out.failed]); // the first round's holders
        queue = chooseHolders(this.links.candidates(data.length, [...tried]), out.failed.length, data.length);
        out.failed = [];
        if (queue.length === 0) break;
        for (const h of queue) tried.add(h);
      }
      const { written } = out;
      if (written.length === 0) throw out.error ?? new MemCloudError(ErrorCodes.NO_PEERS, 'no holder could take this block');
      if (existing) {
        if (!sameMembers(written, existing.holders)) {
          // Holders that did not get the new content now hold stale bytes: drop them.
          for (const h of existing.holders.filter((x) => !written.includes(x))) void this.freeOn(h, [id]);
          for (const h of [...existing.holders]) this.index.removeHolder(id, h);
          this.index.resize(id, data.length);
          for (const h of written) this.index.addHolder(id, h);
        } else {
          this.index.resize(id, data.length);
        }
        this.index.rewritten(id, digest, durability);
        if (written.length < wanted) this.repairer.enqueue(id);
        return existing;
      }
      const record: BlockRecord = { id, size: data.length, hash: digest, durability, wanted, holders: written, createdAt: Date.now(), parent };
      this.index.add(record);
      if (written.length < wanted) this.repairer.enqueue(id);
      return record;
    } finally {
      this.writing.delete(id);
    }
  }

  /**
   * Where a block's replicas go: back to its live holders when it has enough of them (the common
   * overwrite), else to new ones as well. Empty when no candidate seems to have room.
   */
  private placeReplicas(size: number, wanted: number, target: NonNullable<StoreOptions['target']>, existing?: BlockRecord): readonly HolderId[] {
    const keep = existing ? this.liveOf(existing.holders) : NO_HOLDERS;
    if (target === 'local' || (target === 'auto' && keep.length === 0 && this.links.liveCount(1) === 0)) return [SELF];
    if (keep.length >= wanted) return keep;
    return [...keep, ...chooseHolders(this.links.candidates(size, keep), wanted - keep.length, size)];
  }

  /** Loads and verifies a block, trying each replica in turn; corrupt replicas are dropped. */
  async loadBlock(id: string): Promise<Uint8Array> {
    const record = this.index.blocks.get(id);
    if (!record) throw new MemCloudError(ErrorCodes.NOT_FOUND, `no block ${id}`);
    const order = this.readOrder(record.holders);
    let lastError: MemCloudError | null = null;
    for (const h of order) {
      try {
        const data = await this.readFrom(h, id);
        if (contentHash(data) === record.hash) return data;
        this.opts.log.warn(`corrupt replica of block ${id} on ${this.holderName(h)}: content hash mismatch; using another`);
        lastError = new MemCloudError(ErrorCodes.CORRUPT_BLOCK, `every replica of block ${id} failed its content check`);
      } catch (err) {
        lastError = isMemCloudError(err) ? err : new MemCloudError(ErrorCodes.INTERNAL, String(err));
        if (lastError.code !== ErrorCodes.NOT_FOUND && lastError.code !== ErrorCodes.CORRUPT_BLOCK) continue;
      }
      // Not there or corrupt: that replica is gone; free what is left of it and re-replicate.
      this.index.removeHolder(id, h);
      void this.freeOn(h, [id]);
      this.repairer.enqueue(id);
    }
    if (order.length === 0) {
      throw new MemCloudError(ErrorCodes.PEER_GONE, `no holder of block ${id} is connected (${record.holders.map((h) => this.holderName(h)).join(', ') || 'none left'})`);
    }
    throw lastError ?? new MemCloudError(ErrorCodes.NOT_FOUND, `block ${id} is lost`);
  }

  /** Frees blocks on every holder and forgets them. */
  async freeBlocks(ids: readonly string[]): Promise<void> {
    const byHolder = new Map<HolderId, string[]>();
    for (const id of ids) {
      const removed = this.index.remove(id);
      for (const h of removed?.holders ?? []) {
        const list = byHolder.get(h) ?? [];
        list.push(id);
        byHolder.set(h, list);
      }
    }
    await Promise.all([...byHolder].map(([h, list]) => this.freeOn(h, list)));
  }

  // ---- used by the repairer and the engine ----------------------------------------------------------

  /** Holders among `holders` usable now; `holders` itself (no copy) when all of them are. */
  private liveOf(holders: readonly HolderId[]): readonly HolderId[] {
    for (const h of holders) if (!this.isLive(h)) return holders.filter((x) => this.isLive(x));
    return holders;
  }

  candidates(size: number, exclude: readonly HolderId[] = []): Candidate[] {
    return this.links.candidates(size, exclude);
  }

  async writeTo(holder: HolderId, id: string, durability: Durability, data: Uint8Array): Promise<void> {
    if (holder === SELF) this.opts.store.put(SELF, id, data, { durability });
    else await this.links.store(holder, id, durability, data);
  }

  async readFrom(holder: HolderId, id: string): Promise<Uint8Array> {
    if (holder !== SELF) return this.links.load(holder, id);
    const data = this.opts.store.get(SELF, id);
    if (!data) throw new MemCloudError(ErrorCodes.NOT_FOUND, `block ${id} was evicted from this node`);
    return data;
  }

  async freeOn(holder: HolderId, ids: readonly string[]): Promise<void> {
    if (holder === SELF) {
      this.opts.store.deleteMany(SELF, ids);
      return;
    }
    let bytes = 0;
    for (const id of ids) bytes += this.index.blocks.get(id)?.size ?? 0;
    await this.links.free(holder, ids, bytes);
  }

  /** Peers are connected but none can take `size` more bytes from us. */
  private noRoom(size: number): MemCloudError {
    const live = this.links.candidates(0);
    if (live.length === 0) return new MemCloudError(ErrorCodes.NO_PEERS, 'no connected peer can take this block (connect or trust a device first)');
    const detail = live.map((c) => `${this.links.label(c.id)} has ${formatSize(c.available)} left for us`).join(', ');
    return new MemCloudError(ErrorCodes.QUOTA_EXCEEDED, `no connected peer has room for ${formatSize(size)}: ${detail}`);
  }

  holderName(holder: HolderId): string {
    return this.links.name(holder);
  }

  /** Blocks evicted from this node's store: ours are forgotten, peers' owners are told. */
  onLocalEvicted(evicted: readonly EvictedBlock[]): void {
    this.evictedFrom(SELF, evicted.filter((e) => e.ns === SELF).map((e) => e.id));
    this.holder.onEvicted(evicted);
  }

  /**
   * Cache blocks a holder evicted. Eviction is what cache durability allows, so they are not
   * re-replicated; a block with no replica left is gone (its key disappears, its stream is broken).
   */
  private evictedFrom(holder: HolderId, ids: readonly string[]): void {
    for (const id of ids) {
      if (holder !== SELF && this.index.holdsOn(holder, id)) this.links.released(holder, this.index.blocks.get(id)?.size ?? 0);
      this.index.removeHolder(id, holder);
      const r = this.index.blocks.get(id);
      if (!r || r.holders.length > 0) continue;
      this.index.remove(id);
      if (r.parent?.kind === 'key' && this.index.keys.get(r.parent.key) === id) this.index.deleteKey(r.parent.key);
      this.opts.log.debug(`block ${id} was evicted from every holder`);
    }
    if (ids.length > 0) this.emit('data-changed');
  }

  /** Graceful leave: tell every peer, then wait (bounded) while owners move their blocks away. */
  async leave(timeoutMs: number): Promise<void> {
    for (const link of this.connectedLinks()) link.send(encodeLeaving());
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && this.connectedLinks().some((l) => this.opts.store.usage(l.publicKey).bytes > 0)) {
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  close(): void {
    for (const t of this.goneTimers.values()) clearTimeout(t);
    this.repairer.stop();
    this.links.close();
  }

  // ---- internals ----------------------------------------------------------------------------

  /** Readable holders, nearest first. */
  private readOrder(holders: readonly HolderId[]): HolderId[] {
    if (holders.length === 1) return this.isReadable(holders[0]!) ? [holders[0]!] : [];
    return holders.filter((h) => this.isReadable(h)).sort((a, b) => this.links.rank(a) - this.links.rank(b));
  }

  private detach(link: PeerLink): void {
    if (!this.links.isCurrent(link)) return;
    this.emit('peers-changed');
    const blocks = this.index.blocksOn(link.publicKey);
    if (blocks.length === 0) return;
    this.opts.log.info(`${link.name} left holding ${blocks.length} of our blocks; re-replicating in ${(this.opts.repairDelayMs ?? 2000) / 1000} s unless it returns`);
    const t = setTimeout(() => {
      this.goneTimers.delete(link.publicKey);
      if (this.links.linkFor(link.publicKey)) return;
      for (const id of this.index.blocksOn(link.publicKey)) {
        this.index.removeHolder(id, link.publicKey);
        this.repairer.enqueue(id);
      }
      this.emit('data-changed');
    }, this.opts.repairDelayMs ?? 2000);
    t.unref();
    this.goneTimers.set(link.publicKey, t);
  }

  private onNotice(link: PeerLink, notice: PeerNotice): void {
    switch (notice.op) {
      case Op.LEAVING: {
        link.leaving = true;
        const blocks = this.index.blocksOn(link.publicKey);
        this.opts.log.info(`${link.name} is leaving; moving ${blocks.length} of our blocks elsewhere`);
        for (const id of blocks) this.repairer.enqueue(id);
        this.emit('peers-changed');
        return;
      }
      case Op.EVICTED:
        this.evictedFrom(link.publicKey, notice.blocks);
        return;
      case Op.QUOTA:
        if (this.links.isCurrent(link)) void this.links.refreshStat(link.publicKey);
        return;
      default: {
        const never: never = notice;
        throw new MemCloudError(ErrorCodes.FRAME_MALFORMED, `unknown notice ${String(never)}`);
      }
    }
  }

  /** After (re)connecting: free what the holder keeps but we no longer map to it; drop replicas it lost. */
  private async reconcile(link: PeerLink): Promise<void> {
    let theirs: string[];
    try {
      theirs = await link.list();
    } catch {
      return;
    }
    const held = new Set(theirs);
    const orphans = theirs.filter((id) => !this.index.holdsOn(link.publicKey, id) && !this.writing.has(id) && !this.repairer.isCopying(id, link.publicKey));
    if (orphans.length > 0) {
      this.opts.log.info(`freeing ${orphans.length} stale blocks of ours on ${link.name}`);
      await this.freeOn(link.publicKey, orphans);
    }
    for (const id of this.index.blocksOn(link.publicKey)) {
      if (held.has(id)) continue;
      this.index.removeHolder(id, link.publicKey);
      this.repairer.enqueue(id);
    }
  }
}
