// The owner's side of holders coming and going: a holder that (re)connects is reconciled with the
// catalog, one that stays away past a grace period loses its replicas to repair, one that is
// leaving has its blocks moved, and cache blocks a holder evicted are dropped from the map.

import type { OwnerEvents } from '../cluster/cluster';
import type { HolderId, ReplicaIO } from '../cluster/replica-io';
import type { Logger } from '../log/log';
import type { Catalog } from './catalog';
import type { Repairer } from './repairer';

export class HolderEvents implements OwnerEvents {
  private readonly goneTimers = new Map<HolderId, NodeJS.Timeout>();

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
   * Cache blocks a holder evicted. Eviction is what cache durability allows, so they are not
   * re-replicated; a block with no replica left is gone (its key disappears, its stream is broken).
   */
  evicted(holder: HolderId, ids: readonly string[]): void {
    for (const id of ids) {
      const r = this.catalog.blocks.get(id);
      if (!r) continue;
      const holders = r.holders.filter((h) => h !== holder);
      if (holders.length > 0) {
        void this.catalog.setHolders(id, holders);
        continue;
      }
      this.log.debug(`block ${id} was evicted from every holder`);
      if (r.parent?.kind === 'key' && this.catalog.keys.get(r.parent.key) === id) void this.catalog.deleteKey(r.parent.key);
      else void this.catalog.dropBlocks([id]);
    }
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
