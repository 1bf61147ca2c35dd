// Keeps every block at its wanted replica count: when a holder is lost, serves a corrupt copy, or
// announces it is leaving, a new replica is copied from a surviving one to a holder chosen by
// placement, and replicas on leaving holders are freed once the new ones are in the catalog.
// Bounded concurrency keeps memory at a few blocks in flight.

import type { ReplicaIO } from '../cluster/replica-io';
import { chooseHolders } from '../cluster/placement';
import { isMemCloudError } from '../errors';
import type { Logger } from '../log/log';
import type { Catalog } from './catalog';
import { chargedOn } from './stored-size';

const CONCURRENCY = 4;
const RETRY_MS = 5000;

/** Reads a block's replica as stored (checked), for copying it elsewhere. */
export type ReplicaSource = (id: string) => Promise<Uint8Array>;

export class Repairer {
  private readonly queue = new Set<string>();
  private readonly copying = new Map<string, readonly string[]>();
  private running = 0;
  private stopped = false;
  private retry: NodeJS.Timeout | null = null;
  private readonly graceUntil: number;

  constructor(
    private readonly io: ReplicaIO,
    private readonly catalog: Catalog,
    private readonly source: ReplicaSource,
    private readonly log: Logger,
    /** After a restart with a restored map, holders get this long to reconnect first. */
    graceMs = 0,
  ) {
    this.graceUntil = Date.now() + graceMs;
    if (graceMs > 0) this.retry = setTimeout(() => ((this.retry = null), this.wake()), graceMs).unref();
  }

  /** Blocks waiting for repair or being repaired. */
  get pending(): number {
    return this.queue.size + this.running;
  }

  enqueue(id: string): void {
    if (this.stopped) return;
    this.queue.add(id);
    this.pump();
  }

  /** A new holder appeared: blocks waiting for one may now be placed. */
  wake(): void {
    if (Date.now() < this.graceUntil) return;
    for (const r of this.catalog.blocks.values()) {
      const live = r.holders.filter((h) => this.io.isLive(h)).length;
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
      void this.repair(id)
        .catch((err: unknown) => this.log.warn(`repair of block ${id} failed: ${isMemCloudError(err) ? err.message : String(err)}`))
        .finally(() => {
          this.running--;
          this.pump();
        });
    }
  }

  private async repair(id: string): Promise<void> {
    const { io, catalog } = this;
    const record = catalog.blocks.get(id);
    if (!record) return;
    const live = record.holders.filter((h) => io.isLive(h));
    const need = record.wanted - live.length;
    if (need > 0) {
      const bytes = chargedOn(record);
      const targets = chooseHolders(io.candidates(bytes, record.holders), need, bytes);
      if (targets.length === 0) return; // stays degraded until a holder appears (wake)
      let data: Uint8Array;
      try {
        data = await this.source(id);
      } catch (err) {
        this.log.warn(`cannot re-replicate block ${id}: ${isMemCloudError(err) ? err.message : String(err)}`);
        if (!catalog.blocks.get(id)?.holders.length) this.log.error(`block ${id} has no replica left`);
        else this.later();
        return;
      }
      this.copying.set(id, targets);
      try {
        const results = await Promise.allSettled(targets.map((t) => io.write(t, id, record.durability, data)));
        const written = targets.filter((_, i) => results[i]!.status === 'fulfilled');
        const now = catalog.blocks.get(id);
        if (now) {
          if (written.length > 0) await catalog.setHolders(id, [...now.holders, ...written.filter((h) => !now.holders.includes(h))]);
        } else {
          for (const t of written) void io.free(t, [id], bytes); // freed meanwhile
        }
        if (written.length < targets.length) this.later(id);
      } finally {
        this.copying.delete(id);
      }
    }
    // Enough live replicas (and in the catalog): release the ones on leaving holders.
    const now = catalog.blocks.get(id);
    if (!now || now.holders.filter((h) => io.isLive(h)).length < now.wanted) return;
    const leaving = now.holders.filter((h) => !io.isLive(h) && io.isReadable(h));
    if (leaving.length === 0) return;
    await catalog.setHolders(id, now.holders.filter((h) => !leaving.includes(h)));
    for (const h of leaving) void io.free(h, [id], chargedOn(now));
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
