// Small byte helpers shared by the Noise layers: zeroing, concatenation, and the bounds-checked
// reader that handshake messages are parsed with before any crypto runs.

import { ErrorCodes, MemCloudError } from '../../errors';

/** Overwrite a secret in place. Accepts null so callers can zero optional fields unconditionally. */
export function zero(bytes: Uint8Array | null | undefined): void {
  bytes?.fill(0);
}

/** True when every byte is zero, inspecting every byte (no early exit on secret data). */
export function isAllZero(bytes: Uint8Array): boolean {
  let acc = 0;
  for (let i = 0; i < bytes.length; i++) acc |= bytes[i];
  return acc === 0;
}

/**
 * A fresh Uint8Array copy. Not `x.slice()`: on a Node Buffer, slice() returns a view of the same
 * memory, so zeroing "our copy" would zero the caller's bytes (and the other way round).
 */
export function copyBytes(bytes: Uint8Array, start?: number, end?: number): Uint8Array {
  return new Uint8Array(bytes.subarray(start, end));
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** Reads a message front to back; every read is bounds-checked and returns a copy. */
export class ByteReader {
  readonly #bytes: Uint8Array;
  #offset = 0;

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
  }

  take(length: number): Uint8Array {
    if (this.#offset + length > this.#bytes.length) {
      throw new MemCloudError(ErrorCodes.FRAME_MALFORMED, 'handshake message too short');
    }
    const out = copyBytes(this.#bytes, this.#offset, this.#offset + length);
    this.#offset += length;
    return out;
  }

  rest(): Uint8Array {
    return this.take(this.#bytes.length - this.#offset);
  }
}
