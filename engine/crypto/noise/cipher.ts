// Noise spec §4.2 cipher functions: ChaChaPoly (ChaCha20-Poly1305, RFC 8439). The AEAD is behind an
// interface so the engine can plug in node:crypto where present; this file holds the reference
// implementation on @noble/ciphers and the nonce encoding both share.

import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { ErrorCodes, MemCloudError } from '../../errors';
import { copyBytes, zero } from './bytes';

export const KEY_LEN = 32;
export const TAG_LEN = 16;

export interface NoiseCipher {
  readonly name: 'ChaChaPoly';
  /** ENCRYPT(k, n, ad, plaintext): ciphertext || 16-byte tag. n is a safe non-negative integer. */
  encrypt(key: Uint8Array, nonce: number, ad: Uint8Array, plaintext: Uint8Array): Uint8Array;
  /** DECRYPT(k, n, ad, ciphertext); throws MemCloudError(DECRYPT_FAILED) on any failure. */
  decrypt(key: Uint8Array, nonce: number, ad: Uint8Array, ciphertext: Uint8Array): Uint8Array;
  /**
   * REKEY(k): the first 32 bytes of ENCRYPT(k, 2^64 - 1, empty, 32 zero bytes). A separate entry
   * because 2^64 - 1 is not a JS number; ordinary nonces stop at Number.MAX_SAFE_INTEGER.
   */
  rekey(key: Uint8Array): Uint8Array;
}

/** ChaChaPoly nonce for counter n: 4 zero bytes || 64-bit little-endian n. */
export function chachaPolyNonce(n: number): Uint8Array {
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new MemCloudError(ErrorCodes.BAD_ARGUMENT, 'nonce must be a safe non-negative integer');
  }
  const nonce = new Uint8Array(12);
  const view = new DataView(nonce.buffer);
  view.setUint32(4, n % 0x1_0000_0000, true);
  view.setUint32(8, Math.floor(n / 0x1_0000_0000), true);
  return nonce;
}

/** The nonce 2^64 - 1, reserved by the spec for REKEY. */
const REKEY_NONCE: Uint8Array = Uint8Array.of(0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff);

function checkKey(key: Uint8Array): void {
  if (!(key instanceof Uint8Array) || key.length !== KEY_LEN) {
    throw new MemCloudError(ErrorCodes.BAD_ARGUMENT, 'cipher key must be 32 bytes');
  }
}

export const nobleChaChaPoly: NoiseCipher = Object.freeze({
  name: 'ChaChaPoly' as const,

  encrypt(key: Uint8Array, nonce: number, ad: Uint8Array, plaintext: Uint8Array): Uint8Array {
    checkKey(key);
    return chacha20poly1305(key, chachaPolyNonce(nonce), ad).encrypt(plaintext);
  },

  decrypt(key: Uint8Array, nonce: number, ad: Uint8Array, ciphertext: Uint8Array): Uint8Array {
    checkKey(key);
    const n = chachaPolyNonce(nonce);
    try {
      return chacha20poly1305(key, n, ad).decrypt(ciphertext);
    } catch (cause) {
      // Bad tag, or too short to hold one: the same answer either way.
      throw new MemCloudError(ErrorCodes.DECRYPT_FAILED, 'decryption failed', { cause });
    }
  },

  rekey(key: Uint8Array): Uint8Array {
    checkKey(key);
    const sealed = chacha20poly1305(key, REKEY_NONCE, new Uint8Array(0)).encrypt(new Uint8Array(KEY_LEN));
    const next = copyBytes(sealed, 0, KEY_LEN);
    zero(sealed);
    return next;
  },
});
