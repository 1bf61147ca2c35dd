// ChaCha20-Poly1305 from node:crypto (OpenSSL): the fastest, but absent from Electron's Node
// (BoringSSL), so it is only used where getCiphers() lists it.

import { createCipheriv, createDecipheriv, getCiphers } from 'node:crypto';
import { backendAbsent } from '../absent';
import { TAG_LENGTH } from '../constants';
import { plainView, type ChaChaPolyCore } from './aead';

const CIPHER = 'chacha20-poly1305';
const OPTIONS = { authTagLength: TAG_LENGTH } as const;

let available: boolean | undefined;

export function nativeChaChaPolyAvailable(): boolean {
  available ??= getCiphers().includes(CIPHER);
  return available && !backendAbsent('native');
}

function open(key: Uint8Array, nonce: Uint8Array, ad: Uint8Array, record: Uint8Array): Buffer | null {
  const split = record.length - TAG_LENGTH;
  try {
    const decipher = createDecipheriv(CIPHER, key, nonce, OPTIONS);
    decipher.setAuthTag(record.subarray(split));
    if (ad.length > 0) decipher.setAAD(ad, { plaintextLength: split });
    const plaintext = decipher.update(record.subarray(0, split));
    decipher.final(); // throws when the tag does not match; the plaintext is then dropped
    return plaintext;
  } catch {
    return null;
  }
}

export const nativeChaChaPoly: ChaChaPolyCore = {
  name: 'native',

  seal(key, nonce, ad, plaintext) {
    const cipher = createCipheriv(CIPHER, key, nonce, OPTIONS);
    if (ad.length > 0) cipher.setAAD(ad, { plaintextLength: plaintext.length });
    const ciphertext = cipher.update(plaintext);
    cipher.final(); // a stream cipher: final() emits nothing but computes the tag
    return { ciphertext: plainView(ciphertext), tag: plainView(cipher.getAuthTag()) };
  },

  sealInto(key, nonce, ad, plaintext, out) {
    const { ciphertext, tag } = nativeChaChaPoly.seal(key, nonce, ad, plaintext);
    out.set(ciphertext);
    out.set(tag, ciphertext.length);
  },

  open(key, nonce, ad, record) {
    const plaintext = open(key, nonce, ad, record);
    return plaintext === null ? null : plainView(plaintext);
  },

  openInto(key, nonce, ad, record, out) {
    // OpenSSL cannot write into our memory: one copy, made only once the tag has checked out.
    const plaintext = open(key, nonce, ad, record);
    if (plaintext === null) return false;
    out.set(plaintext);
    return true;
  },
};
