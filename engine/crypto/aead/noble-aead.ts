// Pure-JS ChaCha20-Poly1305 from @noble/ciphers: works on every runtime, including Electron.
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import {
  AEAD_NONCE_LENGTH,
  AEAD_TAG_LENGTH,
  checkKey,
  checkNonce,
  checkOutput,
  checkPlaintext,
  checkRecord,
  decryptFailed,
  writeNonce,
  type AeadBackend,
} from './transport-aead';

export class NobleAead implements AeadBackend {
  readonly name = 'noble' as const;
  // Reused per call; noble borrows it only for the duration of one encrypt/decrypt.
  // Freshly allocated, so 4-byte aligned: noble then reads it without copying.
  readonly #nonce = new Uint8Array(AEAD_NONCE_LENGTH);

  seal(key: Uint8Array, nonce: number, plaintext: Uint8Array): { ciphertext: Uint8Array; tag: Uint8Array } {
    checkKey(key);
    checkNonce(nonce);
    checkPlaintext(plaintext);
    writeNonce(this.#nonce, nonce);
    // noble returns ct||tag in one fresh (aligned, fast-path) buffer: hand out views, not copies.
    const sealed = chacha20poly1305(key, this.#nonce).encrypt(plaintext);
    const split = plaintext.length;
    return { ciphertext: sealed.subarray(0, split), tag: sealed.subarray(split) };
  }

  open(key: Uint8Array, nonce: number, record: Uint8Array): Uint8Array {
    checkKey(key);
    checkNonce(nonce);
    checkRecord(record);
    const out = new Uint8Array(record.length - AEAD_TAG_LENGTH);
    this.#decrypt(key, nonce, record, out);
    return out;
  }

  sealInto(key: Uint8Array, nonce: number, plaintext: Uint8Array, out: Uint8Array): void {
    checkKey(key);
    checkNonce(nonce);
    checkPlaintext(plaintext);
    checkOutput(out, plaintext.length + AEAD_TAG_LENGTH);
    writeNonce(this.#nonce, nonce);
    // noble's XOR runs word-wise only when `out` is 4-byte aligned; packers align their slots.
    chacha20poly1305(key, this.#nonce).encrypt(plaintext, out);
  }

  openInto(key: Uint8Array, nonce: number, record: Uint8Array, out: Uint8Array): void {
    checkKey(key);
    checkNonce(nonce);
    checkRecord(record);
    checkOutput(out, record.length - AEAD_TAG_LENGTH);
    this.#decrypt(key, nonce, record, out);
  }

  sealWithNonceBytes(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, out: Uint8Array): void {
    checkKey(key);
    checkPlaintext(plaintext);
    checkOutput(out, plaintext.length + AEAD_TAG_LENGTH);
    chacha20poly1305(key, nonce).encrypt(plaintext, out);
  }

  #decrypt(key: Uint8Array, nonce: number, record: Uint8Array, out: Uint8Array): void {
    writeNonce(this.#nonce, nonce);
    try {
      // noble checks the tag (constant time) before it decrypts anything into `out`.
      chacha20poly1305(key, this.#nonce).decrypt(record, out);
    } catch {
      throw decryptFailed();
    }
  }
}
