// Outgoing control frames, batched: every frame produced in one tick leaves in ONE socket write.
// Frames are written straight into a slab (no per-frame allocation); payloads over INLINE_MAX are
// referenced rather than copied, so their owner must not modify them until the promise that
// carried them settles. Slab bytes handed to the socket are never rewritten.

import { ErrorCodes, MemCloudError } from '../errors';
import { HEADER_AFTER_LENGTH, HEADER_LENGTH, MAX_BODY, MAX_STRING } from './protocol';

const SLAB_SIZE = 64 * 1024;
const INLINE_MAX = 64 * 1024;

/** Receives the bytes of one flush; must write them with a single socket write (or cork). */
export type FlushSink = (chunks: Uint8Array[]) => void;

export class FrameWriter {
  private chunks: Uint8Array[] = [];
  private slab: Buffer = Buffer.allocUnsafeSlow(SLAB_SIZE);
  /** Start of the slab bytes not yet moved to `chunks`. */
  private start = 0;
  private pos = 0;
  private headerSlab: Buffer = this.slab;
  private headerPos = 0;
  private bodyLength = 0;
  private open = false;
  // Where the open frame began, to undo it if its encoding throws.
  private markChunks = 0;
  private markSlab: Buffer = this.slab;
  private markStart = 0;
  private markPos = 0;
  private scheduled = false;
  private readonly flushNow = (): void => this.flush();

  constructor(private readonly sink: FlushSink) {}

  /**
   * Writes one whole frame; `body(writer, arg)` fills it (`arg` spares callers a closure per frame).
   * A frame that throws while encoding leaves no trace.
   */
  frame<A>(kind: number, op: number, id: number, body?: (w: FrameWriter, arg: A) => void, arg?: A): void {
    this.begin(kind, op, id);
    try {
      body?.(this, arg as A);
      this.end();
    } catch (err) {
      this.rollback();
      throw err;
    }
  }

  u8(v: number): void {
    this.ensure(1);
    this.slab[this.pos++] = v;
    this.bodyLength += 1;
  }

  u16(v: number): void {
    this.ensure(2);
    this.slab.writeUInt16BE(v, this.pos);
    this.pos += 2;
    this.bodyLength += 2;
  }

  u32(v: number): void {
    this.ensure(4);
    this.slab.writeUInt32BE(v, this.pos);
    this.pos += 4;
    this.bodyLength += 4;
  }

  f64(v: number): void {
    this.ensure(8);
    this.slab.writeDoubleBE(v, this.pos);
    this.pos += 8;
    this.bodyLength += 8;
  }

  /** u16 byte length || UTF-8; at most MAX_STRING bytes. */
  str16(s: string): void {
    // UTF-8 never has fewer bytes than UTF-16 code units: a long string fails before any copy.
    if (s.length > MAX_STRING) throw stringTooLong(s.length);
    this.ensure(2 + s.length * 3);
    const n = this.slab.write(s, this.pos + 2, 'utf8');
    if (n > MAX_STRING) throw stringTooLong(n);
    this.slab.writeUInt16BE(n, this.pos);
    this.pos += 2 + n;
    this.bodyLength += 2 + n;
  }

  /** UTF-8 to the end of the body (no length prefix). */
  utf8(s: string): void {
    if (s.length > MAX_BODY) throw tooLarge(s.length);
    this.ensure(s.length * 3);
    const n = this.slab.write(s, this.pos, 'utf8');
    this.pos += n;
    this.bodyLength += n;
  }

  bytes(b: Uint8Array): void {
    if (b.length > MAX_BODY) throw tooLarge(b.length);
    if (b.length > INLINE_MAX) {
      this.cut();
      this.chunks.push(b);
    } else {
      this.ensure(b.length);
      this.slab.set(b, this.pos);
      this.pos += b.length;
    }
    this.bodyLength += b.length;
  }

  /** True when nothing is waiting to be flushed. */
  get empty(): boolean {
    return this.chunks.length === 0 && this.pos === this.start;
  }

  /** Sends everything written so far now (also runs by itself at the end of the tick). */
  flush(): void {
    this.scheduled = false;
    this.cut();
    if (this.chunks.length === 0) return;
    const out = this.chunks;
    this.chunks = [];
    this.sink(out);
  }

  private begin(kind: number, op: number, id: number): void {
    if (this.open) throw new MemCloudError(ErrorCodes.INTERNAL, 'nested control frame');
    this.ensure(HEADER_LENGTH);
    this.markChunks = this.chunks.length;
    this.markSlab = this.slab;
    this.markStart = this.start;
    this.markPos = this.pos;
    this.open = true;
    this.headerSlab = this.slab;
    this.headerPos = this.pos;
    this.slab[this.pos + 4] = kind;
    this.slab[this.pos + 5] = op;
    this.slab.writeUInt32BE(id, this.pos + 6);
    this.pos += HEADER_LENGTH;
    this.bodyLength = 0;
  }

  private end(): void {
    if (this.bodyLength > MAX_BODY) throw tooLarge(this.bodyLength);
    // The header may already sit in `chunks` (a later write needed a new slab): same memory.
    this.headerSlab.writeUInt32BE(HEADER_AFTER_LENGTH + this.bodyLength, this.headerPos);
    this.open = false;
    if (!this.scheduled) {
      this.scheduled = true;
      process.nextTick(this.flushNow);
    }
  }

  private rollback(): void {
    this.chunks.length = this.markChunks;
    this.slab = this.markSlab;
    this.start = this.markStart;
    this.pos = this.markPos;
    this.open = false;
  }

  /** Moves the slab bytes written so far into `chunks`. */
  private cut(): void {
    if (this.pos > this.start) this.chunks.push(this.slab.subarray(this.start, this.pos));
    this.start = this.pos;
  }

  private ensure(n: number): void {
    if (this.slab.length - this.pos >= n) return;
    this.cut();
    this.slab = Buffer.allocUnsafeSlow(Math.max(SLAB_SIZE, n));
    this.start = 0;
    this.pos = 0;
  }
}

function stringTooLong(n: number): MemCloudError {
  return new MemCloudError(ErrorCodes.BAD_ARGUMENT, `string of ${n} or more bytes exceeds ${MAX_STRING}`);
}

function tooLarge(n: number): MemCloudError {
  return new MemCloudError(ErrorCodes.FRAME_TOO_LARGE, `control frame body of ${n} bytes exceeds ${MAX_BODY}; use a stream for large data`);
}
