// Keeps every block at its wanted replica count: when a holder is lost, evicts our block, serves a
// corrupt copy, or announces it is leaving, a new replica is copied from a surviving one to a
// holder chosen by placement, and replicas on leaving holders are freed afterwards. Bounded
// concurrency keeps memory at a few blocks in flight.

import type { Logger } from '../log/log';
import { isMemCloudError } from '../errors';
import type { Cluster } from './cluster';
import { chooseHolders } from './placement';

const CONCURRENCY = 4;
const RETRY_MS = 5000;

export class Repairer {
  private readonly queue = new Set<string>();
  private readonly copying = new Map<string, string[]>();
  private running = 0;
  private stopped = false;
  private retry: NodeJS.Timeout | null = null;
  private repaired = 0;

  private readonly graceUntil: number;

  constructor(
    private readonly cluster: Cluster,
    private readonly log: Logger,
    /** After a restart with a restored map, holders get this long to reconnect first. */
    graceMs = 0,
  ) {
    this.graceUntil = Date.now() + graceMs;
    if (graceMs > 0) this.retry = setTimeout(() => ((this.retry = null), this.wake()), graceMs).unref();
  }

  get pending(): number {
    return this.queue.size + this.running;
  }

  get repairedCount(): number {
    return this.repaired;
  }

  enqueue(id: string): void {
    if (this.stopped) return;
    this.queue.add(id);
    this.pump();
  }

  /** A new holder appeared: blocks waiting for one may now be placed. */
  wake(): void {
    if (Date.now() < this.graceUntil) return;
    for (const r of this.cluster.index.blocks.values()) {
      const live = r.holders.filter((h) => this.cluster.isLive(h)).length;
      if (live < r.wanted || live < r.holders.length) this.queue.add(r.id);
    }
    this.pump();
  }

  /** True while a new replica of `id` is being written to `holder` (reconcile must not free it). */
  isCopying(id: string, holder: string): boolean {
    return this.copying.get(id)?.includes(holder) ?? false;
  }

  stop(): void {
    this.stopped = true;
    this.queue.clear();
    if (this.retry) clearTimeout(this.retry);
  }

  private pump(): void {
    while (!this.stopped && this.running < CONCURRENCY && this.queue.size > 0) {
      const id = this.queue.values().next().value as string;
      this.queue.delete(id);
      this.running++;
      void this.repair(id).finally(() => {
        this.running--;
        this.pump();
      });
    }
  }

  private async repair(id: string): Promise<void> {
    const { cluster } = this;
    const record = cluster.index.blocks.get(id);
    if (!record) return;
    const live = record.holders.filter((h) => cluster.isLive(h));
    const need = record.wanted - live.length;
    if (need > 0) {
      const targets = chooseHolders(cluster.candidates(record.size, record.holders), need, record.size);
      if (targets.length === 0) return; // stays degraded until a holder appears (wake)
      let data: Uint8Array;
      try {
        data = await cluster.loadBlock(id);
      } catch (err) {
        this.log.warn(`cannot re-replicate block ${id}: ${isMemCloudError(err) ? err.message : String(err)}`);
        if (!cluster.index.blocks.get(id)?.holders.length) this.log.error(`block ${id} has no replica left`);
        else this.later();
        return;
      }
      this.copying.set(id, targets);
      try {
        const results = await Promise.allSettled(targets.map((t) => cluster.writeTo(t, id, record.durability, data)));
        results.forEach((r, i) => {
          if (r.status === 'fulfilled' && cluster.index.blocks.get(id) === record) {
            cluster.index.addHolder(id, targets[i]!);
            this.repaired++;
          }
        });
        if (results.some((r) => r.status === 'rejected')) this.later(id);
      } finally {
        this.copying.delete(id);
      }
      if (cluster.index.blocks.get(id) !== record) for (const t of targets) void cluster.freeOn(t, [id]); // freed meanwhile
    }
    // Enough live replicas: release the ones on leaving holders.
    const now = cluster.index.blocks.get(id);
    if (!now) return;
    if (now.holders.filter((h) => cluster.isLive(h)).length >= now.wanted) {
      for (const h of now.holders.filter((x) => !cluster.isLive(x) && cluster.isReadable(x))) {
        cluster.index.removeHolder(id, h);
        void cluster.freeOn(h, [id]);
      }
    }
    cluster.emit('data-changed');
  }

  private later(id?: string): void {
    if (id) this.queue.add(id);
    if (this.retry || this.stopped) return;
    this.retry = setTimeout(() => {
      this.retry = null;
      this.wake();
    }, RETRY_MS);
    this.retry.unref();
  }
}
