// The owner's side of holders coming and going: a holder that (re)connects is reconciled with the
// catalog, one that stays away past a grace period loses its replicas to repair, one that is
// leaving has its blocks moved, and cache blocks a holder evicted are marked so in the map.

import type { OwnerEvents } from '../cluster/cluster';
import type { HolderId, ReplicaIO } from '../cluster/replica-io';
import type { Logger } from '../log/log';
import type { Catalog } from './catalog';
import type { Repairer } from './repairer';

export class HolderEvents implements OwnerEvents {
  private readonly goneTimers = new Map<HolderId, NodeJS.Timeout>();
  /** Block ids named in EVICTED notices that were refused (see evicted). */
  refusedEvictions = 0;

  constructor(
    private readonly io: ReplicaIO,
    private readonly catalog: Catalog,
    private readonly repairer: Repairer,
    private readonly log: Logger,
    /** Wait this long after a holder disconnects before re-replicating its blocks. */
    private readonly repairDelayMs = 2000,
  ) {}

  attached(holder: HolderId): void {
    clearTimeout(this.goneTimers.get(holder));
    this.goneTimers.delete(holder);
    void this.reconcile(holder);
    this.repairer.wake();
  }

  detached(holder: HolderId): void {
    const blocks = this.catalog.blocksOn(holder);
    if (blocks.length === 0) return;
    this.log.info(`${this.io.name(holder)} left holding ${blocks.length} of our blocks; re-replicating in ${this.repairDelayMs / 1000} s unless it returns`);
    clearTimeout(this.goneTimers.get(holder));
    const t = setTimeout(() => {
      this.goneTimers.delete(holder);
      if (this.io.isReadable(holder)) return;
      for (const id of this.catalog.blocksOn(holder)) void this.catalog.removeHolder(id, holder).then(() => this.repairer.enqueue(id), () => undefined);
    }, this.repairDelayMs);
    t.unref();
    this.goneTimers.set(holder, t);
  }

  leaving(holder: HolderId): void {
    const blocks = this.catalog.blocksOn(holder);
    this.log.info(`${this.io.name(holder)} is leaving; moving ${blocks.length} of our blocks elsewhere`);
    for (const id of blocks) this.repairer.enqueue(id);
  }

  /**
   * Cache blocks a holder says it evicted. Only a cache block of ours that this very holder holds
   * may be evicted by it: anything else (a pinned block, a block it does not hold, an id we do not
   * know, say another owner's) is refused, logged and counted, and changes nothing. An accepted
   * eviction drops that replica and is never re-replicated (cache durability allows it); the last
   * replica gone, the block stays in the map as evicted (owner-index isEvicted), so reading the
   * item says so.
   */
  evicted(holder: HolderId, ids: readonly string[]): void {
    let refused = 0;
    for (const id of ids) {
      const r = this.catalog.blocks.get(id);
      if (!r || r.durability !== 'cache' || !r.holders.includes(holder)) {
        refused++;
        continue;
      }
      const holders = r.holders.filter((h) => h !== holder);
      // Fewer replicas wanted from now on: the repairer must not copy cache data back.
      void this.catalog.setHolders(id, holders, Math.min(r.wanted, holders.length));
      if (holders.length === 0) this.log.debug(`block ${id} was evicted from every holder`);
    }
    if (refused === 0) return;
    this.refusedEvictions += refused;
    this.log.warn(`${this.io.name(holder)} sent EVICTED for ${refused} block(s) that are not cache blocks of ours it holds; refused (changed nothing)`);
  }

  close(): void {
    for (const t of this.goneTimers.values()) clearTimeout(t);
    this.goneTimers.clear();
  }

  /**
   * Frees, on every connected holder, each block of ours the map does not know, whatever catalog
   * made it (a flush: the user asked for all of this node's data to go).
   */
  async sweep(): Promise<void> {
    await Promise.all(this.io.connected().map((h) => this.reconcile(h, true)));
  }

  /**
   * After (re)connecting: free what the holder keeps that the map provably no longer references,
   * and drop replicas it lost. Blocks made by another catalog (ids without our tag) are kept unless
   * `all` (see Catalog.ownsId).
   */
  private async reconcile(holder: HolderId, all = false): Promise<void> {
    let theirs: string[];
    try {
      theirs = await this.io.list(holder);
    } catch {
      return;
    }
    const held = new Set(theirs);
    const orphans: string[] = [];
    let foreign = 0;
    for (const id of theirs) {
      if (this.catalog.holdsOn(holder, id) || this.catalog.isWriting(id) || this.repairer.isCopying(id, holder)) continue;
      if (all || this.catalog.ownsId(id)) orphans.push(id);
      else foreign++;
    }
    if (foreign > 0) this.log.info(`${foreign} blocks on ${this.io.name(holder)} come from an earlier map of this node's; kept (memcloud flush frees them)`);
    if (orphans.length > 0) {
      this.log.info(`freeing ${orphans.length} stale blocks of ours on ${this.io.name(holder)}`);
      await this.io.free(holder, orphans, 0);
    }
    for (const id of this.catalog.blocksOn(holder)) {
      if (held.has(id)) continue;
      await this.catalog.removeHolder(id, holder);
      this.repairer.enqueue(id);
    }
  }
}
