// A bound on requests served at once: each in-flight request may hold up to a stream window of
// memory, so the endpoint's memory is bounded by slots x window. Requests beyond the bound wait in
// a bounded queue; a read that cannot start before its deadline gives up (a miss beats a wait).

import { Deadline } from './deadline';

export type Release = () => void;

export class RequestSlots {
  private active = 0;
  private readonly waiting: Array<{ grant: (r: Release | null) => void; timer: NodeJS.Timeout | null }> = [];

  constructor(
    readonly max: number,
    readonly maxWaiting: number,
  ) {}

  get inUse(): number {
    return this.active;
  }

  /** A slot, or null when the queue is full or the deadline passes first. */
  acquire(deadline?: Deadline): Promise<Release | null> {
    if (this.active < this.max) return Promise.resolve(this.grant());
    if (this.waiting.length >= this.maxWaiting) return Promise.resolve(null);
    return new Promise((resolve) => {
      const waiter = { grant: resolve, timer: null as NodeJS.Timeout | null };
      if (deadline) {
        waiter.timer = setTimeout(() => {
          const i = this.waiting.indexOf(waiter);
          if (i >= 0) this.waiting.splice(i, 1);
          resolve(null);
        }, deadline.remainingMs()); // not unref'd: short, and someone awaits it
      }
      this.waiting.push(waiter);
    });
  }

  private grant(): Release {
    this.active++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active--;
      const next = this.waiting.shift();
      if (next) {
        if (next.timer) clearTimeout(next.timer);
        next.grant(this.grant());
      }
    };
  }
}
