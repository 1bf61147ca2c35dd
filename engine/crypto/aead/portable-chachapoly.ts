// ChaCha20-Poly1305 from libsodium in WebAssembly: the default where node:crypto lacks it (VS Code
// desktop's Electron). Each call copies its input into libsodium's heap once, works in place there,
// and copies the result out once; the key copy in the heap is wiped before returning.

import { KEY_LENGTH, TAG_LENGTH } from '../constants';
import { sodium } from '../portable/sodium';
import type { ChaChaPolyCore } from './aead';

function seal(key: Uint8Array, nonce: Uint8Array, ad: Uint8Array, plaintext: Uint8Array, out: Uint8Array): void {
  const { lib, slots } = sodium();
  const heap = lib.HEAPU8;
  const n = plaintext.length;
  heap.set(key, slots.key);
  heap.set(nonce, slots.nonce);
  heap.set(ad, slots.ad);
  heap.set(plaintext, slots.data);
  // Cannot fail for lengths below 2^64 - 64 bytes; ciphertext in place, tag right after it.
  lib._crypto_aead_chacha20poly1305_ietf_encrypt_detached(slots.data, slots.data + n, 0, slots.data, n, 0, slots.ad, ad.length, 0, 0, slots.nonce, slots.key);
  heap.fill(0, slots.key, slots.key + KEY_LENGTH);
  out.set(heap.subarray(slots.data, slots.data + n + TAG_LENGTH));
}

/** Opens in place in the heap; the plaintext there is valid only until the next call. */
function openInHeap(key: Uint8Array, nonce: Uint8Array, ad: Uint8Array, record: Uint8Array): Uint8Array | null {
  const { lib, slots } = sodium();
  const heap = lib.HEAPU8;
  const n = record.length - TAG_LENGTH;
  heap.set(key, slots.key);
  heap.set(nonce, slots.nonce);
  heap.set(ad, slots.ad);
  heap.set(record, slots.data);
  // libsodium checks the tag (constant time) before decrypting anything.
  const rc = lib._crypto_aead_chacha20poly1305_ietf_decrypt_detached(slots.data, 0, slots.data, n, 0, slots.data + n, slots.ad, ad.length, 0, slots.nonce, slots.key);
  heap.fill(0, slots.key, slots.key + KEY_LENGTH);
  return rc === 0 ? heap.subarray(slots.data, slots.data + n) : null;
}

export const portableChaChaPoly: ChaChaPolyCore = {
  name: 'portable',

  seal(key, nonce, ad, plaintext) {
    const out = new Uint8Array(plaintext.length + TAG_LENGTH);
    seal(key, nonce, ad, plaintext, out);
    return { ciphertext: out.subarray(0, plaintext.length), tag: out.subarray(plaintext.length) };
  },

  sealInto(key, nonce, ad, plaintext, out) {
    seal(key, nonce, ad, plaintext, out);
  },

  open(key, nonce, ad, record) {
    const plaintext = openInHeap(key, nonce, ad, record);
    return plaintext === null ? null : plaintext.slice();
  },

  openInto(key, nonce, ad, record, out) {
    const plaintext = openInHeap(key, nonce, ad, record);
    if (plaintext === null) return false;
    out.set(plaintext);
    return true;
  },
};
