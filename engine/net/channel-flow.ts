// Backpressure of one secure channel (docs/protocol.md section 6.5): stop reading a peer whose
// replies are not being read, and close a session whose send buffer does not move.
//
// Reading pauses while the send buffer is above the read-pause mark and resumes below the
// resume mark. Those marks sit well above the write high-water mark (where send() asks callers
// to wait): an honest node's own writes stop at the write mark, so its buffer stays under the
// read-pause mark and two nodes that both send a lot never stop reading each other at once (a
// deadlock). Only a peer that keeps asking for replies it does not read drives the buffer there.

import { ErrorCodes, MemCloudError } from '../errors';
import type { SendProgress } from './send-progress';

export const DEFAULT_WRITE_HIGH_WATER = 8 * 1024 * 1024;
export const DEFAULT_READ_PAUSE_MARK = 4 * DEFAULT_WRITE_HIGH_WATER;
export const DEFAULT_READ_RESUME_MARK = 2 * DEFAULT_WRITE_HIGH_WATER;
export const DEFAULT_NO_PROGRESS_MS = 30_000;
const SEND_BUFFER = 'send buffer';

export interface ChannelFlowOptions {
  readonly readPauseMark?: number;
  readonly readResumeMark?: number;
  /** A send buffer that holds bytes and does not move for this long closes the session. */
  readonly noProgressMs?: number;
}

export interface ReadSwitch {
  pause(): void;
  resume(): void;
}

export class ChannelFlow {
  private readonly pauseMark: number;
  private readonly resumeMark: number;
  readonly noProgressMs: number;
  private readonly pausedBy = new Set<string>();
  private lastFlushed = 0;
  private lastMoveAt: number;

  constructor(
    private readonly reading: ReadSwitch,
    private readonly progress: SendProgress,
    private readonly buffered: () => number,
    opts: ChannelFlowOptions = {},
    now = Date.now(),
  ) {
    this.pauseMark = opts.readPauseMark ?? DEFAULT_READ_PAUSE_MARK;
    this.resumeMark = opts.readResumeMark ?? DEFAULT_READ_RESUME_MARK;
    this.noProgressMs = opts.noProgressMs ?? DEFAULT_NO_PROGRESS_MS;
    if (!(this.resumeMark < this.pauseMark)) throw new RangeError('readResumeMark must be below readPauseMark');
    this.lastMoveAt = now;
  }

  /** True while reading the peer is paused, for any reason. */
  get paused(): boolean {
    return this.pausedBy.size > 0;
  }

  /** True while the send buffer is above the pause mark (and not back under the resume mark). */
  get pausedOnSendBuffer(): boolean {
    return this.pausedBy.has(SEND_BUFFER);
  }

  /** Stops reading the peer until resume(reason); reasons add up (e.g. send buffer, decryption backlog). */
  pause(reason: string): void {
    const was = this.paused;
    this.pausedBy.add(reason);
    if (!was) this.reading.pause();
  }

  resume(reason: string): void {
    if (!this.pausedBy.delete(reason) || this.paused) return;
    this.reading.resume();
  }

  /** After bytes were queued or left: pause or resume reading on the send buffer's size. */
  onBufferChange(): void {
    const bytes = this.buffered();
    if (bytes >= this.pauseMark) this.pause(SEND_BUFFER);
    else if (bytes <= this.resumeMark) this.resume(SEND_BUFFER);
  }

  /** Once a second: the stall check. Returns the error to close with, or null. */
  check(now: number): MemCloudError | null {
    this.onBufferChange();
    const flushed = this.progress.flushed;
    if (flushed !== this.lastFlushed || this.buffered() === 0) {
      this.lastFlushed = flushed;
      this.lastMoveAt = now;
      return null;
    }
    if (now - this.lastMoveAt < this.noProgressMs) return null;
    return new MemCloudError(ErrorCodes.TIMEOUT, `the peer has not taken any of our ${this.buffered()} queued bytes for ${this.noProgressMs / 1000} s`);
  }
}
