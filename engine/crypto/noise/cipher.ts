// Noise spec section 4.2 cipher functions: ChaChaPoly, as an adapter over the AEAD seam, so the
// handshake and the transport share one nonce encoding and one REKEY whatever the backend.

import type { Aead } from '../aead/aead';
import { TAG_LENGTH } from '../constants';

export interface NoiseCipher {
  readonly name: 'ChaChaPoly';
  /** ENCRYPT(k, n, ad, plaintext): ciphertext || 16-byte tag. n is a safe non-negative integer. */
  encrypt(key: Uint8Array, nonce: number, ad: Uint8Array, plaintext: Uint8Array): Uint8Array;
  /** DECRYPT(k, n, ad, ciphertext); throws MemCloudError(DECRYPT_FAILED) on any failure. */
  decrypt(key: Uint8Array, nonce: number, ad: Uint8Array, ciphertext: Uint8Array): Uint8Array;
  /** REKEY(k): a separate entry because its nonce, 2^64 - 1, is not a JS number. */
  rekey(key: Uint8Array): Uint8Array;
}

export function noiseCipher(aead: Aead): NoiseCipher {
  return Object.freeze({
    name: 'ChaChaPoly' as const,
    encrypt(key: Uint8Array, nonce: number, ad: Uint8Array, plaintext: Uint8Array): Uint8Array {
      const out = new Uint8Array(plaintext.length + TAG_LENGTH);
      aead.sealInto(key, nonce, plaintext, out, ad);
      return out;
    },
    decrypt(key: Uint8Array, nonce: number, ad: Uint8Array, ciphertext: Uint8Array): Uint8Array {
      return aead.open(key, nonce, ciphertext, ad);
    },
    rekey(key: Uint8Array): Uint8Array {
      return aead.rekey(key);
    },
  });
}
