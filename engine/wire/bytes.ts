// The one binary reader and writer for MemCloud's own byte layouts (control bodies, the handshake
// payload, team certificates, the catalog on disk, ...). All integers are big-endian. Every read is
// bounds-checked before it happens; a failure is a BytesError with a stable code, or whatever the
// boundary's own error factory makes of it (each format reports in its own terms: FRAME_MALFORMED,
// a control FormatError, a CatalogFormatError), so the checks are written once and the errors
// still say which boundary refused.

import { isUtf8 } from 'node:buffer';

/** Why bytes were refused. Stable: callers may switch on them. */
export const BytesErrorCode = {
  /** Fewer bytes left than the field needs. */
  TRUNCATED: 'TRUNCATED',
  /** Bytes left over where the layout ends. */
  TRAILING: 'TRAILING',
  /** A string field that is not valid UTF-8 (a lossy decode could make two keys collide). */
  NOT_UTF8: 'NOT_UTF8',
  /** A length or string longer than the layout allows. */
  TOO_LONG: 'TOO_LONG',
  /** A u64 above 2^53 - 1, or a value that does not fit its field. */
  OUT_OF_RANGE: 'OUT_OF_RANGE',
} as const;
export type BytesErrorCodeValue = (typeof BytesErrorCode)[keyof typeof BytesErrorCode];

export class BytesError extends Error {
  override readonly name = 'BytesError';
  constructor(
    readonly code: BytesErrorCodeValue,
    message: string,
  ) {
    super(message);
  }
}

/** Makes the error a boundary throws; `message` already says what went wrong. */
export type BytesErrorFactory = (code: BytesErrorCodeValue, message: string) => Error;

const bytesError: BytesErrorFactory = (code, message) => new BytesError(code, message);
const SHORT_TEXT = 64;
const MAX_U64 = BigInt(Number.MAX_SAFE_INTEGER);

export class ByteReader {
  protected readonly buf: Buffer;
  private pos = 0;

  constructor(
    bytes: Uint8Array,
    protected readonly fail: BytesErrorFactory = bytesError,
    /** Names what is read in messages: "body", "record", "handshake message". */
    private readonly what = 'input',
  ) {
    this.buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get offset(): number {
    return this.pos;
  }

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  get atEnd(): boolean {
    return this.pos >= this.buf.length;
  }

  u8(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }

  u16(): number {
    this.need(2);
    const v = this.buf.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  u32(): number {
    this.need(4);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  /** A u64 that must be a safe integer (at most 2^53 - 1). */
  u64(): number {
    this.need(8);
    const v = this.buf.readBigUInt64BE(this.pos);
    if (v > MAX_U64) throw this.fail(BytesErrorCode.OUT_OF_RANGE, `integer out of range in ${this.what}`);
    this.pos += 8;
    return Number(v);
  }

  f64(): number {
    this.need(8);
    const v = this.buf.readDoubleBE(this.pos);
    this.pos += 8;
    return v;
  }

  /** The next `n` bytes as a view (no copy): valid as long as the input is. */
  view(n: number): Buffer {
    this.need(n);
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  /** The next `n` bytes as a fresh plain Uint8Array the caller owns (zeroing it touches nothing else). */
  copy(n: number): Uint8Array {
    return new Uint8Array(this.view(n));
  }

  hex(n: number): string {
    this.need(n);
    const s = this.buf.toString('hex', this.pos, this.pos + n);
    this.pos += n;
    return s;
  }

  /** `n` bytes of strict UTF-8. */
  utf8(n: number): string {
    this.need(n);
    const { buf, pos } = this;
    const end = pos + n;
    // Short ASCII strings (most keys and ids) are valid UTF-8 without asking isUtf8 for a view.
    let ascii = n <= SHORT_TEXT;
    for (let i = pos; ascii && i < end; i++) ascii = buf[i]! < 0x80;
    if (!ascii && !isUtf8(buf.subarray(pos, end))) throw this.fail(BytesErrorCode.NOT_UTF8, `a string in ${this.what} is not valid UTF-8`);
    this.pos = end;
    return buf.toString(ascii ? 'latin1' : 'utf8', pos, end);
  }

  /** u8 byte length || UTF-8, the length at most `max`. */
  str8(max = 0xff): string {
    return this.utf8(this.length(this.u8(), max));
  }

  /** u16 byte length || UTF-8, the length at most `max`. */
  str16(max = 0xffff): string {
    return this.utf8(this.length(this.u16(), max));
  }

  /** The bytes to the end, as a view. */
  rest(): Buffer {
    return this.view(this.remaining);
  }

  /** The input must be fully consumed. */
  end(): void {
    if (this.pos !== this.buf.length) throw this.fail(BytesErrorCode.TRAILING, `${this.remaining} unexpected trailing bytes in ${this.what}`);
  }

  private length(n: number, max: number): number {
    if (n > max) throw this.fail(BytesErrorCode.TOO_LONG, `string of ${n} bytes exceeds ${max} in ${this.what}`);
    return n;
  }

  private need(n: number): void {
    if (this.buf.length - this.pos < n) throw this.fail(BytesErrorCode.TRUNCATED, `truncated ${this.what}`);
  }
}

/**
 * Writes fields at `pos` in `buf`; subclasses decide where memory comes from (`ensure`): one
 * growable buffer (GrowableWriter) or a chain of slabs (the control FrameWriter).
 */
export abstract class ByteWriter {
  protected buf: Buffer = Buffer.alloc(0);
  protected pos = 0;
  /** Bytes written through this writer since it was made. */
  protected written = 0;

  constructor(protected readonly fail: BytesErrorFactory = bytesError) {}

  /** Makes `buf` hold at least `n` more bytes at `pos` (it may move to new memory). */
  protected abstract ensure(n: number): void;

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v;
    this.written += 1;
  }

  u16(v: number): void {
    this.ensure(2);
    this.buf.writeUInt16BE(v, this.pos);
    this.pos += 2;
    this.written += 2;
  }

  u32(v: number): void {
    this.ensure(4);
    this.buf.writeUInt32BE(v, this.pos);
    this.pos += 4;
    this.written += 4;
  }

  /** A safe non-negative integer as u64. */
  u64(v: number): void {
    if (!Number.isSafeInteger(v) || v < 0) throw this.fail(BytesErrorCode.OUT_OF_RANGE, `${v} is not a safe non-negative integer`);
    this.ensure(8);
    this.buf.writeBigUInt64BE(BigInt(v), this.pos);
    this.pos += 8;
    this.written += 8;
  }

  f64(v: number): void {
    this.ensure(8);
    this.buf.writeDoubleBE(v, this.pos);
    this.pos += 8;
    this.written += 8;
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
    this.written += b.length;
  }

  /** Exactly `n` bytes given as 2n hex digits. */
  hex(text: string, n: number): void {
    this.ensure(n);
    if (text.length !== n * 2 || this.buf.write(text, this.pos, n, 'hex') !== n) throw this.fail(BytesErrorCode.OUT_OF_RANGE, `bad ${n}-byte hex field ${text}`);
    this.pos += n;
    this.written += n;
  }

  /** UTF-8 with no length prefix; returns its byte length. */
  utf8(s: string): number {
    this.ensure(s.length * 3);
    const n = this.buf.write(s, this.pos, 'utf8');
    this.pos += n;
    this.written += n;
    return n;
  }

  /** u8 byte length || UTF-8, at most `max` bytes. */
  str8(s: string, max = 0xff): void {
    this.prefixed(s, 1, max);
  }

  /** u16 byte length || UTF-8, at most `max` bytes. */
  str16(s: string, max = 0xffff): void {
    this.prefixed(s, 2, max);
  }

  private prefixed(s: string, prefix: 1 | 2, max: number): void {
    // UTF-8 never has fewer bytes than UTF-16 code units: a long string fails before any copy.
    if (s.length > max) throw this.tooLong(s.length, max);
    this.ensure(prefix + s.length * 3);
    const n = this.buf.write(s, this.pos + prefix, 'utf8');
    if (n > max) throw this.tooLong(n, max);
    if (prefix === 1) this.buf[this.pos] = n;
    else this.buf.writeUInt16BE(n, this.pos);
    this.pos += prefix + n;
    this.written += prefix + n;
  }

  private tooLong(n: number, max: number): Error {
    return this.fail(BytesErrorCode.TOO_LONG, `string of ${n} or more bytes exceeds ${max}`);
  }
}

/** A ByteWriter over one buffer that doubles as needed; `take()` returns what was written. */
export class GrowableWriter extends ByteWriter {
  constructor(initial = 256, fail?: BytesErrorFactory) {
    super(fail);
    this.buf = Buffer.allocUnsafe(initial);
  }

  get length(): number {
    return this.pos;
  }

  /** Leaves `n` bytes to be filled later with patch*; returns where they start. */
  skip(n: number): number {
    this.ensure(n);
    const at = this.pos;
    this.pos += n;
    this.written += n;
    return at;
  }

  patchU32(at: number, v: number): void {
    this.buf.writeUInt32BE(v, at);
  }

  /** Everything written so far (a view of the writer's buffer: write nothing more after taking). */
  take(): Buffer {
    return this.buf.subarray(0, this.pos);
  }

  protected ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }
}
