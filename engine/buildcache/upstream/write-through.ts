// Entries stored in the LAN go on to the upstream in the background, through a bounded queue: a
// full queue drops (and counts) instead of ever slowing the build down. Each entry is read back
// from the LAN when its turn comes, so the queue holds keys, never bodies.

import type { Logger } from '../../log/log';
import type { CacheStats } from '../cache-stats';
import type { EntryReader } from '../entry-store';
import type { UpstreamRef, UpstreamStore } from './upstream';

export interface WriteThroughOptions {
  /** Entries waiting at most; more are dropped. */
  readonly capacity: number;
  /** Uploads at once. */
  readonly concurrency: number;
  readonly log: Logger;
}

export class WriteThrough {
  private readonly queue = new Map<string, UpstreamRef>();
  private running = 0;
  private closed = false;
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly upstream: UpstreamStore,
    /** The entry as stored in the LAN now, or null when it is gone. */
    private readonly open: (key: string) => Promise<EntryReader | null>,
    private readonly stats: CacheStats['upstream'],
    private readonly opts: WriteThroughOptions,
  ) {}

  get queued(): number {
    return this.queue.size;
  }

  enqueue(ref: UpstreamRef): void {
    if (this.closed) return;
    if (this.queue.has(ref.key)) return; // the newest content is read when its turn comes anyway
    if (this.queue.size >= this.opts.capacity) {
      this.stats.dropped++;
      return;
    }
    this.queue.set(ref.key, ref);
    this.pump();
  }

  /** Resolves when nothing is queued or uploading (tests, graceful stop). */
  idle(): Promise<void> {
    if (this.queue.size === 0 && this.running === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  close(): void {
    this.closed = true;
    this.queue.clear();
    this.settle();
  }

  private pump(): void {
    while (!this.closed && this.running < this.opts.concurrency && this.queue.size > 0) {
      const [key, ref] = this.queue.entries().next().value as [string, UpstreamRef];
      this.queue.delete(key);
      this.running++;
      void this.upload(ref).finally(() => {
        this.running--;
        this.pump();
        this.settle();
      });
    }
  }

  private async upload(ref: UpstreamRef): Promise<void> {
    let reader: EntryReader | null = null;
    try {
      reader = await this.open(ref.key);
      if (!reader) return;
      await this.upstream.store(ref, { headers: reader.headers, size: reader.size, body: reader.chunks() });
      this.stats.written++;
    } catch (err) {
      this.stats.errors++;
      this.opts.log.debug(`build cache: writing ${ref.key} through to ${this.upstream.description} failed: ${(err as Error).message}`);
    } finally {
      reader?.close();
    }
  }

  private settle(): void {
    if (this.queue.size > 0 || this.running > 0) return;
    for (const w of this.idleWaiters.splice(0)) w();
  }
}
