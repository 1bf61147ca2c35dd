// Replica I/O over this node's own store ('self') and the peers' (HolderTable): where new replicas
// go (the power of two choices), writing a block to its holders with one retry elsewhere per failed
// holder, reading and freeing one replica, listing a holder. What we own is not kept here.

import type { Durability, StoreOptions } from '../api/types';
import { ErrorCodes, MemCloudError } from '../errors';
import type { BlockStore } from '../store/block-store';
import { chargeOf } from '../store/block-cost';
import { formatSize } from '../store/sizes';
import { SELF } from '../store/self';
import type { HolderTable } from './holder-table';
import { chooseHolders, type Candidate } from './placement';
import type { HolderId, ReplicaIO, ReplicaPlan } from './replica-io';
import { writeEach, type WriteOutcome } from './replica-writes';

interface PendingFree {
  readonly ids: string[];
  bytes: number;
  readonly done: Promise<void>;
}

export class Replicas implements ReplicaIO {
  private readonly frees = new Map<HolderId, PendingFree>();

  constructor(
    private readonly table: HolderTable,
    private readonly store: BlockStore,
    /** Default replicas when two or more peers are connected. */
    private readonly defaultReplicas: () => number,
  ) {}

  wanted(opts: StoreOptions): number {
    if (opts.target === 'local') return 1;
    if (opts.replicas !== undefined) return opts.replicas;
    return this.table.liveCount(2) >= 2 ? this.defaultReplicas() : 1;
  }

  async writeReplicas(id: string, durability: Durability, data: Uint8Array, plan: ReplicaPlan): Promise<HolderId[]> {
    // Holders count what a block costs them, its fixed overhead included (store/block-cost.ts).
    const charge = chargeOf(data.length);
    let holders = this.place(charge, plan);
    if (holders.length === 0) {
      // Our estimates may be stale (evictions, frees by others): ask the holders once.
      await this.table.refreshStats();
      holders = chooseHolders(this.table.candidates(charge), plan.wanted, charge);
      if (holders.length === 0) throw this.noRoom(data.length);
    }
    const out: WriteOutcome = { written: [], failed: [], error: null };
    let queue = holders;
    let tried: Set<HolderId> | null = null;
    for (;;) {
      await writeEach(queue, (h) => this.write(h, id, durability, data), out);
      if (out.failed.length === 0 || plan.target === 'local') break;
      // Replace each failed holder with another candidate, once.
      tried ??= new Set([...out.written, ...out.failed]); // the first round's holders
      queue = chooseHolders(this.table.candidates(charge, [...tried]), out.failed.length, charge);
      out.failed = [];
      if (queue.length === 0) break;
      for (const h of queue) tried.add(h);
    }
    if (out.written.length === 0) throw out.error ?? new MemCloudError(ErrorCodes.NO_PEERS, 'no holder could take this block');
    return out.written;
  }

  async write(holder: HolderId, id: string, durability: Durability, data: Uint8Array): Promise<void> {
    if (holder === SELF) this.store.put(SELF, id, data, { durability });
    else await this.table.store(holder, id, durability, data);
  }

  // Not async: a holder's reply goes straight to the caller, with no promise in between.
  read(holder: HolderId, id: string): Promise<Uint8Array> {
    if (holder !== SELF) {
      try {
        return this.table.load(holder, id);
      } catch (err) {
        return Promise.reject(err as Error); // not connected
      }
    }
    const data = this.store.get(SELF, id);
    if (!data) return Promise.reject(new MemCloudError(ErrorCodes.NOT_FOUND, `block ${id} was evicted from this node`));
    return Promise.resolve(data);
  }

  free(holder: HolderId, ids: readonly string[], bytes: number): Promise<void> {
    if (ids.length === 0) return Promise.resolve();
    if (holder === SELF) {
      this.store.deleteMany(SELF, ids);
      return Promise.resolve();
    }
    // Frees of one moment (say, many overwrites in flight) travel as one FREE per holder.
    const pending = this.frees.get(holder);
    if (pending) {
      pending.ids.push(...ids);
      pending.bytes += bytes;
      return pending.done;
    }
    const batch: PendingFree = {
      ids: [...ids],
      bytes,
      done: new Promise<void>((resolve) =>
        setImmediate(() => {
          this.frees.delete(holder);
          void this.table.free(holder, batch.ids, batch.bytes).then(resolve);
        }),
      ),
    };
    this.frees.set(holder, batch);
    return batch.done;
  }

  async list(holder: HolderId): Promise<string[]> {
    if (holder === SELF) return this.store.ids(SELF);
    return this.table.list(holder);
  }

  connected(): HolderId[] {
    return this.table.connectedRpcs().map((l) => l.publicKey);
  }

  candidates(size: number, exclude: readonly HolderId[] = []): Candidate[] {
    return this.table.candidates(size, exclude);
  }

  isLive(holder: HolderId): boolean {
    return this.table.isLive(holder);
  }

  isReadable(holder: HolderId): boolean {
    return this.table.isReadable(holder);
  }

  rank(holder: HolderId): number {
    return this.table.rank(holder);
  }

  name(holder: HolderId): string {
    return this.table.name(holder);
  }

  /**
   * Where a block's replicas go: back to the preferred holders that are live when there are enough
   * of them (the common overwrite), else to new ones as well. Empty when no candidate has room.
   */
  private place(size: number, plan: ReplicaPlan): readonly HolderId[] {
    const keep = plan.prefer.filter((h) => this.isLive(h)).slice(0, plan.wanted);
    if (plan.target === 'local' || (plan.target === 'auto' && keep.length === 0 && this.table.liveCount(1) === 0)) return [SELF];
    if (keep.length >= plan.wanted) return keep;
    return [...keep, ...chooseHolders(this.table.candidates(size, keep), plan.wanted - keep.length, size)];
  }

  /** Peers are connected but none can take `size` more bytes from us. */
  private noRoom(size: number): MemCloudError {
    const live = this.table.candidates(0);
    if (live.length === 0) return new MemCloudError(ErrorCodes.NO_PEERS, 'no connected peer can take this block (connect or trust a device first)');
    const detail = live.map((c) => `${this.table.label(c.id)} has ${formatSize(c.available)} left for us`).join(', ');
    return new MemCloudError(ErrorCodes.QUOTA_EXCEEDED, `no connected peer has room for ${formatSize(size)}: ${detail}`);
  }
}
