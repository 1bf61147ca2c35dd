// Bounds-checked reading of one frame body. Every read checks what is left first; strings must be
// valid UTF-8 (a lossy decode could make two different keys collide).

import { isUtf8 } from 'node:buffer';
import type { ByteCopier } from './byte-copies';
import { MAX_STRING } from './protocol';
import { SchemaError } from '../api/schema';

/** A body that does not match its op's layout. Each direction maps it to its own error code. */
export class FormatError extends SchemaError {
  override readonly name = 'FormatError';
}

const SHORT_TEXT = 64;

export class BodyReader {
  private pos = 0;

  /**
   * `owned`: the body is this frame's own memory, not a view into a shared socket chunk; when it
   * is not, `copy` decides what the receiver of its bytes gets (see byte-copies.ts).
   */
  constructor(
    private readonly buf: Buffer,
    private readonly owned: boolean,
    private readonly copy: ByteCopier,
  ) {}

  get remaining(): number {
    return this.buf.length - this.pos;
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

  f64(): number {
    this.need(8);
    const v = this.buf.readDoubleBE(this.pos);
    this.pos += 8;
    return v;
  }

  /** u16 byte length || UTF-8. */
  str16(): string {
    const n = this.u16();
    if (n > MAX_STRING) throw new FormatError(`string of ${n} bytes exceeds ${MAX_STRING}`);
    this.need(n);
    return this.text(n);
  }

  /** UTF-8 to the end of the body. */
  restUtf8(): string {
    return this.text(this.remaining);
  }

  /** The bytes to the end of the body, as a plain Uint8Array (see the constructor). */
  restBytes(): Uint8Array {
    const n = this.remaining;
    const view = new Uint8Array(this.buf.buffer, this.buf.byteOffset + this.pos, n);
    this.pos += n;
    return this.owned ? view : this.copy(view);
  }

  /** The body must be fully consumed. */
  done(): void {
    if (this.pos !== this.buf.length) throw new FormatError(`${this.remaining} unexpected trailing bytes`);
  }

  private text(n: number): string {
    const { buf, pos } = this;
    const end = pos + n;
    // Short ASCII strings (most keys and ids) are valid UTF-8 without asking isUtf8 for a view.
    let ascii = n <= SHORT_TEXT;
    for (let i = pos; ascii && i < end; i++) ascii = buf[i]! < 0x80;
    if (!ascii && !isUtf8(buf.subarray(pos, end))) throw new FormatError('string is not valid UTF-8');
    this.pos = end;
    return buf.toString(ascii ? 'latin1' : 'utf8', pos, end);
  }

  private need(n: number): void {
    if (this.buf.length - this.pos < n) throw new FormatError('truncated body');
  }
}
