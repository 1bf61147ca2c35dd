// Noise spec §5.1 CipherState: a key k (or none) and a 64-bit nonce n, here a JS safe integer.
// The nonce only advances on success, so a failed decrypt can be retried or reported cleanly.

import { ErrorCodes, MemCloudError } from '../../errors';
import { copyBytes, zero } from './bytes';
import { KEY_LENGTH } from '../constants';
import type { NoiseCipher } from './cipher';

// The spec reserves 2^64 - 1 for REKEY; our counters are JS numbers, so MAX_SAFE_INTEGER is the
// last value we refuse to use. No session gets near it in practice.
const NONCE_LIMIT = Number.MAX_SAFE_INTEGER;

export class CipherState {
  readonly #cipher: NoiseCipher;
  #k: Uint8Array | null = null;
  #n = 0;
  #destroyed = false;

  constructor(cipher: NoiseCipher, key: Uint8Array | null = null) {
    this.#cipher = cipher;
    this.initializeKey(key);
  }

  /** InitializeKey(key): takes a copy of key (or clears it) and resets n to 0. */
  initializeKey(key: Uint8Array | null): void {
    this.#usable();
    if (key !== null && (!(key instanceof Uint8Array) || key.length !== KEY_LENGTH)) {
      throw new MemCloudError(ErrorCodes.BAD_ARGUMENT, 'cipher key must be 32 bytes');
    }
    zero(this.#k);
    this.#k = key === null ? null : copyBytes(key);
    this.#n = 0;
  }

  hasKey(): boolean {
    this.#usable();
    return this.#k !== null;
  }

  get nonce(): number {
    return this.#n;
  }

  setNonce(n: number): void {
    this.#usable();
    if (!Number.isSafeInteger(n) || n < 0 || n >= NONCE_LIMIT) {
      throw new MemCloudError(ErrorCodes.BAD_ARGUMENT, 'nonce out of range');
    }
    this.#n = n;
  }

  /** EncryptWithAd: with no key, returns a copy of the plaintext (the handshake's first messages). */
  encryptWithAd(ad: Uint8Array, plaintext: Uint8Array): Uint8Array {
    this.#usable();
    if (this.#k === null) return copyBytes(plaintext);
    this.#checkNonce();
    const ciphertext = this.#cipher.encrypt(this.#k, this.#n, ad, plaintext);
    this.#n++;
    return ciphertext;
  }

  /** DecryptWithAd: throws DECRYPT_FAILED and leaves n unchanged when authentication fails. */
  decryptWithAd(ad: Uint8Array, ciphertext: Uint8Array): Uint8Array {
    this.#usable();
    if (this.#k === null) return copyBytes(ciphertext);
    this.#checkNonce();
    const plaintext = this.#cipher.decrypt(this.#k, this.#n, ad, ciphertext);
    this.#n++;
    return plaintext;
  }

  /** Rekey(): k = REKEY(k); n is unchanged, as the spec says. */
  rekey(): void {
    const old = this.#requireKey();
    this.#k = this.#cipher.rekey(old);
    zero(old);
  }

  /** A copy of k, for the engine's transport layer, which seals records itself. */
  exportKey(): Uint8Array {
    return copyBytes(this.#requireKey());
  }

  /** Zero the key; every later use throws. Idempotent. */
  destroy(): void {
    zero(this.#k);
    this.#k = null;
    this.#destroyed = true;
  }

  #usable(): void {
    // Without this guard a destroyed state would look keyless and pass plaintext through.
    if (this.#destroyed) throw new MemCloudError(ErrorCodes.CHANNEL_CLOSED, 'cipher state destroyed');
  }

  #requireKey(): Uint8Array {
    this.#usable();
    if (this.#k === null) throw new MemCloudError(ErrorCodes.BAD_ARGUMENT, 'cipher state has no key');
    return this.#k;
  }

  #checkNonce(): void {
    if (this.#n >= NONCE_LIMIT) throw new MemCloudError(ErrorCodes.CHANNEL_CLOSED, 'nonce space exhausted');
  }
}
