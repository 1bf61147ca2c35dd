// The one table of requests waiting for their replies, for every request/response protocol we
// speak (the RAM protocol's PeerRpc, the control socket's client; docs/protocol.md sections 7 and
// 10): u32 ids that wrap and never reuse one still in flight, a finite deadline per request checked
// by one coarse sweep (sending a request reads no clock), ids of requests that timed out remembered
// so a late reply is told apart from a reply to nothing, and every request failed at once on close.

/** Ids are u32, 0 excluded (0 means "the whole connection" where a protocol needs that). */
const MAX_ID = 0xffffffff;

/** Allocates u32 ids 1..2^32-1 in order, wrapping, skipping those still in use. */
export class IdAllocator {
  private next = 1;

  allocate(inUse: (id: number) => boolean): number {
    let id = this.next;
    while (inUse(id)) id = id === MAX_ID ? 1 : id + 1;
    this.next = id === MAX_ID ? 1 : id + 1;
    return id;
  }
}

interface Entry<M, R> {
  readonly kind: 'pending';
  readonly meta: M;
  readonly deadlineMs: number;
  /** The sweep after which the request has timed out. */
  readonly expiresAt: number;
  readonly resolve: (reply: R) => void;
  readonly reject: (err: Error) => void;
}

export interface PendingRequestsOptions<M> {
  /** The error a request fails with when its deadline passes. */
  readonly timeoutError: (meta: M, deadlineMs: number) => Error;
  /** Timed-out ids remembered so their late replies can be dropped quietly (oldest forgotten first). */
  readonly rememberTimedOut?: number;
  /** How often deadlines are checked; a request times out between its deadline and one sweep later. */
  readonly sweepMs?: number;
}

/** What `settle` found for a reply's id. */
export type Settled<M, R> =
  | { readonly kind: 'pending'; readonly meta: M; readonly resolve: (reply: R) => void; readonly reject: (err: Error) => void }
  /** A reply to a request that already timed out (dropped, not a protocol error). */
  | { readonly kind: 'late' }
  /** No request has this id: the peer answered something we never asked. */
  | { readonly kind: 'unknown' };

const LATE = { kind: 'late' } as const;
const UNKNOWN = { kind: 'unknown' } as const;

export class PendingRequests<M, R> {
  private readonly entries = new Map<number, Entry<M, R>>();
  private readonly ids = new IdAllocator();
  private readonly timedOut = new Set<number>();
  private readonly rememberTimedOut: number;
  private readonly sweepMs: number;
  /** Sweeps so far: the coarse clock deadlines are counted in. */
  private clock = 0;
  private timer: NodeJS.Timeout | null = null;
  private closedWith: Error | null = null;
  private readonly inUse = (id: number): boolean => this.entries.has(id);

  constructor(private readonly opts: PendingRequestsOptions<M>) {
    this.rememberTimedOut = opts.rememberTimedOut ?? 4096;
    this.sweepMs = opts.sweepMs ?? 1000;
  }

  get size(): number {
    return this.entries.size;
  }

  /**
   * Registers a request and calls `send(id)` with its fresh id; the promise settles with the reply
   * (see settle) or fails after `deadlineMs` (finite, positive) or when the table is closed.
   */
  request(meta: M, deadlineMs: number, send: (id: number) => void): Promise<R> {
    if (!(deadlineMs > 0 && Number.isFinite(deadlineMs))) throw new RangeError('a request deadline must be a finite positive number of ms');
    if (this.closedWith) return Promise.reject(this.closedWith);
    const id = this.ids.allocate(this.inUse);
    if (this.timedOut.size > 0) this.timedOut.delete(id); // reused after a wrap: its late reply can no longer be told apart
    const expiresAt = this.clock + Math.ceil(deadlineMs / this.sweepMs);
    const promise = new Promise<R>((resolve, reject) => this.entries.set(id, { kind: 'pending', meta, deadlineMs, expiresAt, resolve, reject }));
    this.startSweeping();
    try {
      send(id);
    } catch (err) {
      this.entries.delete(id);
      return Promise.reject(err);
    }
    return promise;
  }

  /**
   * Takes the request a reply with this id answers, if any. A request whose meta does not
   * `match` the reply (e.g. a reply for another op) is left in flight and the reply is 'unknown'.
   */
  settle(id: number, match?: (meta: M) => boolean): Settled<M, R> {
    const e = this.entries.get(id);
    if (e === undefined) return this.timedOut.delete(id) ? LATE : UNKNOWN;
    if (match && !match(e.meta)) return UNKNOWN;
    // The sweep stops itself once it finds the table empty: stopping here would clear and re-create
    // its timer for every request when requests go one at a time.
    this.entries.delete(id);
    return e; // the entry is the answer: no object per reply
  }

  /** Fails every request in flight and every later one with `err`; idempotent. */
  close(err: Error): void {
    if (this.closedWith) return;
    this.closedWith = err;
    this.stopSweeping();
    const entries = [...this.entries.values()];
    this.entries.clear();
    for (const e of entries) e.reject(err);
  }

  private sweep(): void {
    this.clock++;
    for (const [id, e] of this.entries) {
      if (e.expiresAt >= this.clock) continue;
      this.entries.delete(id);
      this.timedOut.add(id);
      if (this.timedOut.size > this.rememberTimedOut) this.timedOut.delete(this.timedOut.values().next().value!);
      e.reject(this.opts.timeoutError(e.meta, e.deadlineMs));
    }
    if (this.entries.size === 0) this.stopSweeping();
  }

  private startSweeping(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.sweep(), this.sweepMs);
    this.timer.unref();
  }

  private stopSweeping(): void {
    if (!this.timer) return;
    clearInterval(this.timer);
    this.timer = null;
  }
}
