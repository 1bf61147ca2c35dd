// The AEAD seam: Noise ChaChaPoly (ChaCha20-Poly1305, RFC 8439) with a 32-byte key and the 64-bit
// message counter as nonce. Checks, the nonce encoding and REKEY are written here once; each backend
// (native, portable, noble) only supplies a ChaChaPolyCore that encrypts with a ready 12-byte nonce.

import { ErrorCodes, MemCloudError } from '../../errors';
import type { CryptoBackendName } from '../backend-name';
import { KEY_LENGTH, MAX_ASSOCIATED_DATA, MAX_NOISE_MESSAGE, MAX_SEALED_PLAINTEXT, NONCE_LENGTH, TAG_LENGTH } from '../constants';
import { REKEY_NONCE, checkNonce, writeNonce } from './nonce';

/** One backend's ChaCha20-Poly1305 with a ready nonce. Arguments are checked by Aead before they get here. */
export interface ChaChaPolyCore {
  readonly name: CryptoBackendName;
  /** Ciphertext and tag, in memory the core allocates (callers may writev them without joining). */
  seal(key: Uint8Array, nonce: Uint8Array, ad: Uint8Array, plaintext: Uint8Array): { ciphertext: Uint8Array; tag: Uint8Array };
  /** Writes ciphertext || tag into `out` (exactly plaintext.length + 16 bytes). */
  sealInto(key: Uint8Array, nonce: Uint8Array, ad: Uint8Array, plaintext: Uint8Array, out: Uint8Array): void;
  /** The plaintext of ciphertext || tag, or null when authentication fails. */
  open(key: Uint8Array, nonce: Uint8Array, ad: Uint8Array, record: Uint8Array): Uint8Array | null;
  /** Writes the plaintext into `out` and returns true; returns false, leaving `out` untouched, when authentication fails. */
  openInto(key: Uint8Array, nonce: Uint8Array, ad: Uint8Array, record: Uint8Array, out: Uint8Array): boolean;
}

const NO_AD = new Uint8Array(0);
const ZEROS = new Uint8Array(KEY_LENGTH);

export class Aead {
  readonly name: CryptoBackendName;
  readonly #core: ChaChaPolyCore;
  // Reused per call (every core copies or finishes with it before returning). Freshly allocated,
  // so 4-byte aligned: noble then reads it without copying.
  readonly #nonce = new Uint8Array(NONCE_LENGTH);

  constructor(core: ChaChaPolyCore) {
    this.name = core.name;
    this.#core = core;
  }

  /** Seal one message. Ciphertext and tag come back separately so callers can writev them. */
  seal(key: Uint8Array, nonce: number, plaintext: Uint8Array, ad: Uint8Array = NO_AD): { ciphertext: Uint8Array; tag: Uint8Array } {
    this.#checkSeal(key, nonce, plaintext, ad);
    return this.#core.seal(key, this.#nonce, ad, plaintext);
  }

  /** Open ciphertext || tag. Throws DECRYPT_FAILED on any failure, with no detail. */
  open(key: Uint8Array, nonce: number, record: Uint8Array, ad: Uint8Array = NO_AD): Uint8Array {
    this.#checkOpen(key, nonce, record, ad);
    const plaintext = this.#core.open(key, this.#nonce, ad, record);
    if (plaintext === null) throw decryptFailed();
    return plaintext;
  }

  /** Writes ciphertext || tag into `out`, which must be exactly plaintext.length + 16 bytes. */
  sealInto(key: Uint8Array, nonce: number, plaintext: Uint8Array, out: Uint8Array, ad: Uint8Array = NO_AD): void {
    this.#checkSeal(key, nonce, plaintext, ad);
    checkOutput(out, plaintext.length + TAG_LENGTH);
    this.#core.sealInto(key, this.#nonce, ad, plaintext, out);
  }

  /** Writes the plaintext into `out` (exactly record.length - 16 bytes); throws DECRYPT_FAILED, `out` untouched. */
  openInto(key: Uint8Array, nonce: number, record: Uint8Array, out: Uint8Array, ad: Uint8Array = NO_AD): void {
    this.#checkOpen(key, nonce, record, ad);
    checkOutput(out, record.length - TAG_LENGTH);
    if (!this.#core.openInto(key, this.#nonce, ad, record, out)) throw decryptFailed();
  }

  /** Noise REKEY(k): the first 32 bytes of ENCRYPT(k, 2^64 - 1, empty AD, 32 zero bytes). `key` is not changed. */
  rekey(key: Uint8Array): Uint8Array {
    checkKey(key);
    const out = new Uint8Array(KEY_LENGTH + TAG_LENGTH);
    this.#core.sealInto(key, REKEY_NONCE, NO_AD, ZEROS, out);
    const next = out.slice(0, KEY_LENGTH);
    out.fill(0);
    return next;
  }

  #checkSeal(key: Uint8Array, nonce: number, plaintext: Uint8Array, ad: Uint8Array): void {
    checkKey(key);
    checkNonce(nonce);
    checkAd(ad);
    if (!(plaintext instanceof Uint8Array)) throw bad('AEAD plaintext must be a Uint8Array');
    if (plaintext.length > MAX_SEALED_PLAINTEXT) {
      throw bad(`AEAD plaintext is ${plaintext.length} bytes; at most ${MAX_SEALED_PLAINTEXT} fit one record`);
    }
    writeNonce(this.#nonce, nonce);
  }

  #checkOpen(key: Uint8Array, nonce: number, record: Uint8Array, ad: Uint8Array): void {
    checkKey(key);
    checkNonce(nonce);
    checkAd(ad);
    // Records come off the wire: every problem with one is a decryption failure, with no detail.
    if (!(record instanceof Uint8Array) || record.length < TAG_LENGTH || record.length > MAX_NOISE_MESSAGE) throw decryptFailed();
    writeNonce(this.#nonce, nonce);
  }
}

function bad(message: string): MemCloudError {
  return new MemCloudError(ErrorCodes.BAD_ARGUMENT, message);
}

function checkKey(key: Uint8Array): void {
  if (!(key instanceof Uint8Array) || key.length !== KEY_LENGTH) throw bad(`AEAD key must be a Uint8Array of ${KEY_LENGTH} bytes`);
}

function checkAd(ad: Uint8Array): void {
  if (!(ad instanceof Uint8Array) || ad.length > MAX_ASSOCIATED_DATA) {
    throw bad(`AEAD associated data must be a Uint8Array of at most ${MAX_ASSOCIATED_DATA} bytes`);
  }
}

function checkOutput(out: Uint8Array, expected: number): void {
  if (!(out instanceof Uint8Array) || out.length !== expected) throw bad(`AEAD output buffer must be exactly ${expected} bytes`);
}

export function decryptFailed(): MemCloudError {
  return new MemCloudError(ErrorCodes.DECRYPT_FAILED, 'record failed authentication');
}

/** A plain Uint8Array view of a Buffer, without copying (keeps results one type across backends). */
export function plainView(b: Uint8Array): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}
