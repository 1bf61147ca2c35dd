// How many bytes a block takes on its holders: sealed (block-seal.ts, docs/protocol.md 7.4), a little
// more than its content; blocks of earlier versions (with a content hash) were stored as is. And what
// a holder charges us for one: that plus its fixed per-block overhead.

import { chargeOf } from '../store/block-cost';

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
