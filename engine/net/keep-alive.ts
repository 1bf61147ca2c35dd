// Keep-alive of an open session (docs/protocol.md section 6.4): one PING at a time, PONGs owed at
// most one at a time, and the idle close. Driven by the channel's once-a-second tick.

import { ErrorCodes, MemCloudError } from '../errors';
import type { Departure, SendProgress } from './send-progress';

export const DEFAULT_KEEP_ALIVE_MS = 15_000;
export const DEFAULT_IDLE_TIMEOUT_MS = 45_000;
/** The first PING, for a latency figure soon after opening (not at once: first data keeps its record). */
export const FIRST_PING_DELAY_MS = 250;

export interface KeepAliveHooks {
  sendPing(body: Buffer): void;
  sendPong(body: Buffer): void;
}

export class KeepAlive {
  private lastReceived: number;
  /** The 8 bytes of the PING awaiting its PONG, as sent; null when none is outstanding. */
  private outstanding: Buffer | null = null;
  private pingSentAt = 0;
  private nextPingAt = Infinity;
  private rtt = -1;
  /** The last PONG sent, until the kernel took it; and the PING body owed while it has not. */
  private lastPong: Departure | null = null;
  private owed: Buffer | null = null;

  constructor(
    private readonly hooks: KeepAliveHooks,
    private readonly progress: SendProgress,
    readonly keepAliveMs = DEFAULT_KEEP_ALIVE_MS,
    readonly idleMs = DEFAULT_IDLE_TIMEOUT_MS,
    now = Date.now(),
  ) {
    this.lastReceived = now;
  }

  /** Round-trip time of the last answered PING, in ms, or -1 before the first. */
  get latencyMs(): number {
    return this.rtt;
  }

  /** The session opened: the idle clock starts, and the first PING follows shortly. */
  opened(now: number): void {
    this.lastReceived = now;
    this.nextPingAt = now + FIRST_PING_DELAY_MS;
  }

  received(now: number): void {
    this.lastReceived = now;
  }

  /**
   * This side reads the peer again after a pause of its own (section 6.5): the silence clock
   * restarts now. The pause is not the peer's silence, and a peer we did not read could not get
   * its bytes (PONGs included) through to us, so the silence before the pause is forgiven too.
   */
  readingResumed(now: number): void {
    this.lastReceived = Math.max(this.lastReceived, now);
  }

  /** A PING to answer: at once, unless our previous PONG has not left yet; then only the newest is owed. */
  ping(body: Buffer): void {
    if (this.lastPong && !this.progress.departed(this.lastPong)) {
      this.owed = Buffer.from(body);
      return;
    }
    this.pong(Buffer.from(body));
  }

  pongReceived(body: Buffer, now: number): void {
    if (this.outstanding && body.equals(this.outstanding)) {
      this.rtt = now - this.pingSentAt;
      this.outstanding = null;
    }
  }

  /** Sends the owed PONG if the previous one has left by now. */
  sendOwed(): void {
    if (this.owed && this.lastPong && this.progress.departed(this.lastPong)) {
      const body = this.owed;
      this.owed = null;
      this.pong(body);
    }
  }

  /** Whether the owed PONG can go, a PING is due, or the peer fell silent. Returns the error to close with, or null. */
  tick(now: number, readingPaused: boolean): MemCloudError | null {
    this.sendOwed();
    // Silence only counts while we read: a peer we stopped reading may well be talking. The clock
    // restarts when reading resumes (readingResumed), so the pause never counts afterwards either.
    if (!readingPaused && now - this.lastReceived >= this.idleMs) {
      return new MemCloudError(ErrorCodes.TIMEOUT, `no traffic from the peer for ${this.idleMs / 1000} s`);
    }
    if (now >= this.nextPingAt && this.outstanding === null) {
      this.pingSentAt = now;
      this.nextPingAt = now + this.keepAliveMs;
      this.outstanding = Buffer.alloc(8);
      this.outstanding.writeDoubleBE(now);
      this.hooks.sendPing(this.outstanding);
    }
    return null;
  }

  private pong(body: Buffer): void {
    this.hooks.sendPong(body);
    this.lastPong = this.progress.mark();
  }
}
