// Noise spec §4.3 hash functions, exported under their Noise names. The handshake only needs HASH(); HMAC and HKDF are built on top
// of it generically (hkdf.ts), so adding a hash is one entry here.

import { blake2b, blake2s } from '@noble/hashes/blake2.js';
import { sha256, sha512 } from '@noble/hashes/sha2.js';

export type NoiseHashName = 'SHA256' | 'SHA512' | 'BLAKE2s' | 'BLAKE2b';

export interface NoiseHash {
  readonly name: NoiseHashName;
  /** HASHLEN: 32 or 64. */
  readonly hashLen: 32 | 64;
  /** BLOCKLEN, used by HMAC. */
  readonly blockLen: 64 | 128;
  /** HASH(parts[0] || parts[1] || ...), without concatenating first. */
  hash(...parts: Uint8Array[]): Uint8Array;
  /**
   * The Noise HKDF in one call, for a hash whose library has it (hkdf.ts builds it from hash()
   * otherwise): the same bytes, without the per-call overhead of six to eight separate hashes.
   */
  hkdf?(chainingKey: Uint8Array, ikm: Uint8Array, numOutputs: 2 | 3): Uint8Array[];
}

interface NobleHasher {
  create(): { update(data: Uint8Array): unknown; digest(): Uint8Array };
}

function fromNoble(
  name: NoiseHashName,
  hashLen: 32 | 64,
  blockLen: 64 | 128,
  hasher: NobleHasher,
): NoiseHash {
  return Object.freeze({
    name,
    hashLen,
    blockLen,
    hash(...parts: Uint8Array[]): Uint8Array {
      const h = hasher.create();
      for (const p of parts) h.update(p);
      return h.digest();
    },
  });
}

export const SHA256: NoiseHash = fromNoble('SHA256', 32, 64, sha256);
export const SHA512: NoiseHash = fromNoble('SHA512', 64, 128, sha512);
// BLAKE2 unkeyed with full-length output; Noise uses it through HMAC, not BLAKE2's own key mode.
export const BLAKE2s: NoiseHash = fromNoble('BLAKE2s', 32, 64, blake2s);
export const BLAKE2b: NoiseHash = fromNoble('BLAKE2b', 64, 128, blake2b);

export const noiseHashes: Readonly<Record<NoiseHashName, NoiseHash>> = Object.freeze({
  SHA256,
  SHA512,
  BLAKE2s,
  BLAKE2b,
});
