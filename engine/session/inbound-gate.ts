// Everything that bounds what connections cost before a session opens (docs/protocol.md section
// 4.1): half-open connections per source and in all, and connections per identity between the
// handshake and the session opening (waiting for consent, or for the peer's HELLO). Refusals are
// logged at most once per LOG_EVERY_MS, so a flood cannot flood the log either.

import { DEFAULT_HALF_OPEN_LIMITS, HalfOpenLimits, type HalfOpenLimitOptions, type HalfOpenSlot } from './half-open-limits';

/** Connections of one identity that may wait between the handshake and the open session. */
export const MAX_PENDING_PER_IDENTITY = 2;
const LOG_EVERY_MS = 10_000;

export interface InboundGateOptions {
  readonly halfOpen?: HalfOpenLimitOptions;
  readonly pendingPerIdentity?: number;
  readonly log?: (message: string) => void;
  readonly now?: () => number;
}

export class InboundGate {
  private readonly halfOpen: HalfOpenLimits;
  private readonly limits: HalfOpenLimitOptions;
  private readonly pending = new Map<string, number>();
  private readonly pendingLimit: number;
  private readonly log: (message: string) => void;
  private readonly now: () => number;
  private refused = 0;
  private evicted = 0;
  private lastLogAt = -Infinity;
  private lastSource = '';

  constructor(opts: InboundGateOptions = {}) {
    this.limits = opts.halfOpen ?? DEFAULT_HALF_OPEN_LIMITS;
    this.halfOpen = new HalfOpenLimits(this.limits);
    this.pendingLimit = opts.pendingPerIdentity ?? MAX_PENDING_PER_IDENTITY;
    this.log = opts.log ?? (() => undefined);
    this.now = opts.now ?? Date.now;
  }

  /** Half-open connections now. */
  get halfOpenCount(): number {
    return this.halfOpen.size;
  }

  /** A place for a new inbound connection, or null: then close it at once. */
  enter(source: string, evict: () => void): HalfOpenSlot | null {
    const slot = this.halfOpen.reserve(source, () => {
      this.evicted++;
      this.noteRefusal(source);
      evict();
    });
    if (!slot) {
      this.refused++;
      this.noteRefusal(source);
    }
    return slot;
  }

  /** Message 1 arrived: the connection is doing a handshake. */
  started(slot: HalfOpenSlot): void {
    slot.started = true;
  }

  /** The handshake ended (either way): the connection no longer counts as half-open. */
  leave(slot: HalfOpenSlot): void {
    this.halfOpen.release(slot);
  }

  /**
   * A connection of `publicKey` starts waiting for admission. Returns the function that ends the
   * wait, or null when this identity already has its share of waiting connections.
   */
  waitFor(publicKey: string): (() => void) | null {
    const n = this.pending.get(publicKey) ?? 0;
    if (n >= this.pendingLimit) return null;
    this.pending.set(publicKey, n + 1);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const left = (this.pending.get(publicKey) ?? 1) - 1;
      if (left > 0) this.pending.set(publicKey, left);
      else this.pending.delete(publicKey);
    };
  }

  private noteRefusal(source: string): void {
    this.lastSource = source;
    const now = this.now();
    if (now - this.lastLogAt < LOG_EVERY_MS) return;
    this.lastLogAt = now;
    this.log(
      `too many connections still in their handshake: ${this.refused} refused and ${this.evicted} idle ones closed so far, ` +
        `the last from ${this.lastSource} (limits ${this.limits.perSource} per source, ${this.limits.total} in all)`,
    );
  }
}
