// How many bytes a block takes on its holders: sealed (block-seal.ts, docs/protocol.md 7.4), a little
// more than its content; blocks of earlier versions (with a content hash) were stored as is. And what
// a holder charges us for one: that plus its fixed per-block overhead.

import { MAX_BLOCK_BYTES, chargeOf } from '../store/block-cost';

/** Plaintext bytes per sealed piece (the AEAD seam seals at most 65519 at once). */
export const PIECE_BYTES = 32 * 1024;
export const SEAL_HEADER_BYTES = 8;
export const SEAL_TAG_BYTES = 16;

export function pieceCount(size: number): number {
  return Math.max(1, Math.ceil(size / PIECE_BYTES));
}

/** Bytes a block of `size` plaintext bytes takes sealed. */
export function sealedSize(size: number): number {
  return SEAL_HEADER_BYTES + size + SEAL_TAG_BYTES * pieceCount(size);
}

/** The largest plaintext whose sealed form takes at most `sealedBytes` (at least 24). */
export function largestSealable(sealedBytes: number): number {
  // More pieces hold more plaintext: the first piece count, from the most, that fits is the answer.
  for (let n = pieceCount(sealedBytes); n >= 1; n--) {
    const size = Math.min(n * PIECE_BYTES, sealedBytes - SEAL_HEADER_BYTES - SEAL_TAG_BYTES * n);
    if (size >= 0 && pieceCount(size) === n) return size;
  }
  throw new RangeError(`no plaintext seals into ${sealedBytes} bytes`);
}

/**
 * The largest value (set) or block (store) a node accepts: 16,769,016 bytes, the most whose sealed
 * form (8 + size + 16 per 32 KiB piece) fits one holder's block, 16 MiB. Anything larger could be
 * acknowledged by no holder, so it is refused up front, before anything is stored or charged.
 */
export const MAX_VALUE_BYTES = largestSealable(MAX_BLOCK_BYTES);

/** Bytes a block of ours takes on each holder. */
export function storedSize(r: { readonly size: number; readonly hash: string }): number {
  return r.hash === '' ? sealedSize(r.size) : r.size;
}

/**
 * What a holder charges us for a block of ours: its stored bytes plus the fixed per-block overhead
 * every lender adds (store/block-cost.ts, the one definition both sides use), so the owner's view
 * of what it keeps on a holder agrees with the holder's own count.
 */
export function chargedOn(r: { readonly size: number; readonly hash: string }): number {
  return chargeOf(storedSize(r));
}
