// Small byte helpers shared by the Noise layers: zeroing, copying and concatenation. Handshake
// messages are parsed with the one bounds-checked reader (engine/wire/bytes.ts) before any crypto runs.

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
