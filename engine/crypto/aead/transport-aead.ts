// The transport AEAD contract shared by both backends: Noise ChaChaPoly (ChaCha20-Poly1305,
// RFC 8439) with a 32-byte key, the 64-bit message counter as nonce and empty associated data.
import { ErrorCodes, MemCloudError } from '../../errors';

export type AeadBackendName = 'noble' | 'native';

export const AEAD_KEY_LENGTH = 32;
export const AEAD_NONCE_LENGTH = 12;
export const AEAD_TAG_LENGTH = 16;
/** Noise caps a transport message at 65535 bytes, tag included. */
export const MAX_RECORD_LENGTH = 65535;
export const MAX_PLAINTEXT_LENGTH = MAX_RECORD_LENGTH - AEAD_TAG_LENGTH;

export interface TransportAead {
  readonly name: AeadBackendName;
  /** Seal one record. Returns ciphertext and tag separately so callers can writev them without concatenating. */
  seal(key: Uint8Array, nonce: number, plaintext: Uint8Array): { ciphertext: Uint8Array; tag: Uint8Array };
  /** Open one record (ciphertext||tag). Throws MemCloudError(DECRYPT_FAILED) on any failure. */
  open(key: Uint8Array, nonce: number, record: Uint8Array): Uint8Array;
}

/**
 * What each backend offers beyond TransportAead: writing into caller-provided memory, so batches
 * land in one packed buffer, and a raw nonce for REKEY's reserved nonce 2^64-1 (not a safe integer).
 */
export interface AeadBackend extends TransportAead {
  /** Writes ciphertext||tag into `out`, which must be exactly plaintext.length + 16 bytes. */
  sealInto(key: Uint8Array, nonce: number, plaintext: Uint8Array, out: Uint8Array): void;
  /** Writes the plaintext into `out` (exactly record.length - 16 bytes); throws DECRYPT_FAILED. */
  openInto(key: Uint8Array, nonce: number, record: Uint8Array, out: Uint8Array): void;
  /** Seal with a ready-made 12-byte nonce; `out` as for sealInto. */
  sealWithNonceBytes(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, out: Uint8Array): void;
}

/**
 * Noise ChaChaPoly nonce: 4 zero bytes then the 64-bit counter little-endian. Writes into a reused
 * buffer whose first 4 bytes stay zero. Works for every safe integer (hi < 2^21).
 */
export function writeNonce(buf: Uint8Array, n: number): void {
  const lo = n >>> 0; // ToUint32 is n mod 2^32 for any integer
  const hi = (n - lo) / 0x1_0000_0000;
  buf[4] = lo;
  buf[5] = lo >>> 8;
  buf[6] = lo >>> 16;
  buf[7] = lo >>> 24;
  buf[8] = hi;
  buf[9] = hi >>> 8;
  buf[10] = hi >>> 16;
  buf[11] = hi >>> 24;
}

export function checkKey(key: Uint8Array): void {
  if (!(key instanceof Uint8Array) || key.length !== AEAD_KEY_LENGTH) {
    throw new MemCloudError(ErrorCodes.BAD_ARGUMENT, `AEAD key must be a Uint8Array of ${AEAD_KEY_LENGTH} bytes`);
  }
}

export function checkNonce(nonce: number): void {
  if (!Number.isSafeInteger(nonce) || nonce < 0) {
    throw new MemCloudError(ErrorCodes.BAD_ARGUMENT, 'AEAD nonce must be a non-negative safe integer');
  }
}

export function checkPlaintext(plaintext: Uint8Array): void {
  if (!(plaintext instanceof Uint8Array)) {
    throw new MemCloudError(ErrorCodes.BAD_ARGUMENT, 'AEAD plaintext must be a Uint8Array');
  }
  if (plaintext.length > MAX_PLAINTEXT_LENGTH) {
    throw new MemCloudError(
      ErrorCodes.BAD_ARGUMENT,
      `AEAD plaintext is ${plaintext.length} bytes; at most ${MAX_PLAINTEXT_LENGTH} fit one record`,
    );
  }
}

/** Records come off the wire: every problem with one is a decryption failure, with no detail. */
export function checkRecord(record: Uint8Array): void {
  if (!(record instanceof Uint8Array) || record.length < AEAD_TAG_LENGTH || record.length > MAX_RECORD_LENGTH) {
    throw decryptFailed();
  }
}

export function checkOutput(out: Uint8Array, expected: number): void {
  if (!(out instanceof Uint8Array) || out.length !== expected) {
    throw new MemCloudError(ErrorCodes.BAD_ARGUMENT, `AEAD output buffer must be exactly ${expected} bytes`);
  }
}

export function decryptFailed(): MemCloudError {
  return new MemCloudError(ErrorCodes.DECRYPT_FAILED, 'record failed authentication');
}

/** A plain Uint8Array view of a Buffer, without copying (keeps results one type across backends). */
export function plainView(b: Uint8Array): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}
