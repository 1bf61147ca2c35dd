// Pure-JS ChaCha20-Poly1305 from @noble/ciphers: works on every runtime, including one where
// WebAssembly cannot start.

import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import type { ChaChaPolyCore } from './aead';

export const nobleChaChaPoly: ChaChaPolyCore = {
  name: 'noble',

  seal(key, nonce, ad, plaintext) {
    // noble returns ct||tag in one fresh (aligned, fast-path) buffer: hand out views, not copies.
    const sealed = chacha20poly1305(key, nonce, ad).encrypt(plaintext);
    const split = plaintext.length;
    return { ciphertext: sealed.subarray(0, split), tag: sealed.subarray(split) };
  },

  sealInto(key, nonce, ad, plaintext, out) {
    // noble's XOR runs word-wise only when `out` is 4-byte aligned; packers align their slots.
    chacha20poly1305(key, nonce, ad).encrypt(plaintext, out);
  },

  open(key, nonce, ad, record) {
    const out = new Uint8Array(record.length - 16);
    return nobleChaChaPoly.openInto(key, nonce, ad, record, out) ? out : null;
  },

  openInto(key, nonce, ad, record, out) {
    try {
      // noble checks the tag (constant time) before it decrypts anything into `out`.
      chacha20poly1305(key, nonce, ad).decrypt(record, out);
      return true;
    } catch {
      return false;
    }
  },
};
