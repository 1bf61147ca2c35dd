// Bounds-checked reading of one control frame body: the one ByteReader (engine/wire/bytes.ts) with
// the control protocol's string limit, its FormatError, and the rule for handing out bytes.

import type { ByteCopier } from './byte-copies';
import { MAX_STRING } from './protocol';
import { SchemaError } from '../api/schema';
import { ByteReader } from '../wire/bytes';

/** A body that does not match its op's layout. Each direction maps it to its own error code. */
export class FormatError extends SchemaError {
  override readonly name = 'FormatError';
}

const formatError = (_code: string, message: string) => new FormatError(message);

export class BodyReader extends ByteReader {
  /**
   * `owned`: the body is this frame's own memory, not a view into a shared socket chunk; when it
   * is not, `copy` decides what the receiver of its bytes gets (see byte-copies.ts).
   */
  constructor(
    buf: Buffer,
    private readonly owned: boolean,
    private readonly copier: ByteCopier,
  ) {
    super(buf, formatError, 'body');
  }

  /** u16 byte length || UTF-8, at most MAX_STRING bytes. */
  override str16(): string {
    return super.str16(MAX_STRING);
  }

  /** UTF-8 to the end of the body. */
  restUtf8(): string {
    return this.utf8(this.remaining);
  }

  /** The bytes to the end of the body, as a plain Uint8Array (see the constructor). */
  restBytes(): Uint8Array {
    const rest = this.rest();
    const view = new Uint8Array(rest.buffer, rest.byteOffset, rest.length);
    return this.owned ? view : this.copier(view);
  }

  /** The body must be fully consumed. */
  done(): void {
    this.end();
  }
}
