// ChaCha20-Poly1305 from node:crypto (OpenSSL): several times faster than noble, but absent from
// Electron's Node (BoringSSL), so it is only used where getCiphers() lists it.
import { createCipheriv, createDecipheriv, getCiphers } from 'node:crypto';
import { ErrorCodes, MemCloudError } from '../../errors';
import {
  AEAD_NONCE_LENGTH,
  AEAD_TAG_LENGTH,
  checkKey,
  checkNonce,
  checkOutput,
  checkPlaintext,
  checkRecord,
  decryptFailed,
  plainView,
  writeNonce,
  type AeadBackend,
} from './transport-aead';

const CIPHER = 'chacha20-poly1305';
const OPTIONS = { authTagLength: AEAD_TAG_LENGTH } as const;

let available: boolean | undefined;

export function nativeAeadAvailable(): boolean {
  available ??= getCiphers().includes(CIPHER);
  return available;
}

export class NativeAead implements AeadBackend {
  readonly name = 'native' as const;
  // Reused per call: createCipheriv copies the IV into OpenSSL's context.
  readonly #nonce = new Uint8Array(AEAD_NONCE_LENGTH);

  constructor() {
    if (!nativeAeadAvailable()) {
      throw new MemCloudError(
        ErrorCodes.BAD_ARGUMENT,
        `native AEAD unavailable: this runtime's node:crypto has no '${CIPHER}' (use 'noble' or 'auto')`,
      );
    }
  }

  seal(key: Uint8Array, nonce: number, plaintext: Uint8Array): { ciphertext: Uint8Array; tag: Uint8Array } {
    checkKey(key);
    checkNonce(nonce);
    checkPlaintext(plaintext);
    writeNonce(this.#nonce, nonce);
    return this.#seal(key, this.#nonce, plaintext);
  }

  open(key: Uint8Array, nonce: number, record: Uint8Array): Uint8Array {
    checkKey(key);
    checkNonce(nonce);
    checkRecord(record);
    return plainView(this.#open(key, nonce, record));
  }

  sealInto(key: Uint8Array, nonce: number, plaintext: Uint8Array, out: Uint8Array): void {
    checkKey(key);
    checkNonce(nonce);
    checkPlaintext(plaintext);
    checkOutput(out, plaintext.length + AEAD_TAG_LENGTH);
    writeNonce(this.#nonce, nonce);
    this.#sealInto(key, this.#nonce, plaintext, out);
  }

  openInto(key: Uint8Array, nonce: number, record: Uint8Array, out: Uint8Array): void {
    checkKey(key);
    checkNonce(nonce);
    checkRecord(record);
    checkOutput(out, record.length - AEAD_TAG_LENGTH);
    // OpenSSL cannot write into our memory: one copy, made only once the tag has checked out.
    out.set(this.#open(key, nonce, record));
  }

  sealWithNonceBytes(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, out: Uint8Array): void {
    checkKey(key);
    checkPlaintext(plaintext);
    checkOutput(out, plaintext.length + AEAD_TAG_LENGTH);
    this.#sealInto(key, nonce, plaintext, out);
  }

  #seal(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array): { ciphertext: Uint8Array; tag: Uint8Array } {
    const cipher = createCipheriv(CIPHER, key, nonce, OPTIONS);
    const ciphertext = cipher.update(plaintext);
    cipher.final(); // a stream cipher: final() emits nothing but computes the tag
    return { ciphertext: plainView(ciphertext), tag: plainView(cipher.getAuthTag()) };
  }

  #sealInto(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, out: Uint8Array): void {
    const { ciphertext, tag } = this.#seal(key, nonce, plaintext);
    out.set(ciphertext);
    out.set(tag, ciphertext.length);
  }

  #open(key: Uint8Array, nonce: number, record: Uint8Array): Buffer {
    writeNonce(this.#nonce, nonce);
    const split = record.length - AEAD_TAG_LENGTH;
    try {
      const decipher = createDecipheriv(CIPHER, key, this.#nonce, OPTIONS);
      decipher.setAuthTag(record.subarray(split));
      const plaintext = decipher.update(record.subarray(0, split));
      decipher.final(); // throws when the tag does not match; the plaintext is then dropped
      return plaintext;
    } catch {
      throw decryptFailed();
    }
  }
}
