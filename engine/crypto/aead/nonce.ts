// The Noise ChaChaPoly nonce (spec section 5.1), written once for every backend: 4 zero bytes,
// then the 64-bit message counter little-endian. Counters are JS safe integers; the one nonce
// beyond them, 2^64 - 1, is reserved for REKEY and has its own constant.

import { ErrorCodes, MemCloudError } from '../../errors';
import { NONCE_LENGTH } from '../constants';

/** Writes counter n into bytes 4..11 of a 12-byte buffer whose first 4 bytes stay zero. */
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

export function checkNonce(n: number): void {
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new MemCloudError(ErrorCodes.BAD_ARGUMENT, 'AEAD nonce must be a non-negative safe integer');
  }
}

/** A fresh nonce for counter n. */
export function chachaPolyNonce(n: number): Uint8Array {
  checkNonce(n);
  const nonce = new Uint8Array(NONCE_LENGTH);
  writeNonce(nonce, n);
  return nonce;
}

/** The nonce 2^64 - 1, reserved by the spec for REKEY. */
export const REKEY_NONCE: Uint8Array = new Uint8Array(NONCE_LENGTH).fill(0xff, 4);
