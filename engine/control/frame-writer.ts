// Outgoing control frames, batched (the field encodings are engine/wire/bytes.ts's ByteWriter): every frame produced in one tick leaves in ONE socket write.
// Frames are written straight into a slab (no per-frame allocation); payloads over INLINE_MAX are
// referenced rather than copied, so their owner must not modify them until the promise that
// carried them settles. Slab bytes handed to the socket are never rewritten.

import { ErrorCodes, MemCloudError } from '../errors';
import { ByteWriter } from '../wire/bytes';
import { HEADER_AFTER_LENGTH, HEADER_LENGTH, MAX_BODY, MAX_STRING } from './protocol';

const SLAB_SIZE = 64 * 1024;
const INLINE_MAX = 64 * 1024;

/** Receives the bytes of one flush; must write them with a single socket write (or cork). */
export type FlushSink = (chunks: Uint8Array[]) => void;

/** The control protocol's name for a field that does not fit: a caller's bad argument. */
const badField = (_code: string, message: string) => new MemCloudError(ErrorCodes.BAD_ARGUMENT, message);

export class FrameWriter extends ByteWriter {
  private chunks: Uint8Array[] = [];
  /** Start of the slab bytes not yet moved to `chunks`. */
  private start = 0;
  private headerSlab: Buffer;
  private headerPos = 0;
  /** `written` when the open frame's body began. */
  private bodyStart = 0;
  private open = false;
  // Where the open frame began, to undo it if its encoding throws.
  private markChunks = 0;
  private markSlab: Buffer;
  private markStart = 0;
  private markPos = 0;
  private scheduled = false;
  private readonly flushNow = (): void => this.flush();

  constructor(private readonly sink: FlushSink) {
    super(badField);
    this.buf = Buffer.allocUnsafeSlow(SLAB_SIZE);
    this.headerSlab = this.buf;
    this.markSlab = this.buf;
  }

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

  /** u16 byte length || UTF-8; at most MAX_STRING bytes. */
  override str16(s: string): void {
    super.str16(s, MAX_STRING);
  }

  /** UTF-8 to the end of the body (no length prefix). */
  override utf8(s: string): number {
    if (s.length > MAX_BODY) throw tooLarge(s.length);
    return super.utf8(s);
  }

  override bytes(b: Uint8Array): void {
    if (b.length > MAX_BODY) throw tooLarge(b.length);
    if (b.length <= INLINE_MAX) return super.bytes(b);
    // Large payloads are referenced, not copied (see the top of this file).
    this.cut();
    this.chunks.push(b);
    this.written += b.length;
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
    this.markSlab = this.buf;
    this.markStart = this.start;
    this.markPos = this.pos;
    this.open = true;
    this.headerSlab = this.buf;
    this.headerPos = this.pos;
    this.buf[this.pos + 4] = kind;
    this.buf[this.pos + 5] = op;
    this.buf.writeUInt32BE(id, this.pos + 6);
    this.pos += HEADER_LENGTH;
    this.bodyStart = this.written;
  }

  private end(): void {
    const bodyLength = this.written - this.bodyStart;
    if (bodyLength > MAX_BODY) throw tooLarge(bodyLength);
    // The header may already sit in `chunks` (a later write needed a new slab): same memory.
    this.headerSlab.writeUInt32BE(HEADER_AFTER_LENGTH + bodyLength, this.headerPos);
    this.open = false;
    if (!this.scheduled) {
      this.scheduled = true;
      process.nextTick(this.flushNow);
    }
  }

  private rollback(): void {
    this.chunks.length = this.markChunks;
    this.buf = this.markSlab;
    this.start = this.markStart;
    this.pos = this.markPos;
    this.open = false;
  }

  /** Moves the slab bytes written so far into `chunks`. */
  private cut(): void {
    if (this.pos > this.start) this.chunks.push(this.buf.subarray(this.start, this.pos));
    this.start = this.pos;
  }

  protected ensure(n: number): void {
    if (this.buf.length - this.pos >= n) return;
    this.cut();
    this.buf = Buffer.allocUnsafeSlow(Math.max(SLAB_SIZE, n));
    this.start = 0;
    this.pos = 0;
  }
}

function tooLarge(n: number): MemCloudError {
  return new MemCloudError(ErrorCodes.FRAME_TOO_LARGE, `control frame body of ${n} bytes exceeds ${MAX_BODY}; use a stream for large data`);
}
