// The passphrase form's key derivation: scrypt (RFC 7914) from node:crypto, a memory-hard KDF.
// N = 2^17, r = 8, p = 1 takes 128 MiB and about half a second per unlock on a laptop core: a
// guess costs an attacker the same. The file carries the parameters, bounded on read so that an
// altered file cannot make us allocate gigabytes (docs/identity.md, "Passphrase").

import { randomBytes, scrypt } from 'node:crypto';
import { ErrorCodes, MemCloudError } from '../errors';
import { WRAP_KEY_BYTES } from './key-wrap';
import { int } from '../api/schema';

export interface ScryptParams {
  readonly log2N: number;
  readonly r: number;
  readonly p: number;
  readonly salt: Uint8Array;
}

export const SCRYPT_DEFAULTS = { log2N: 17, r: 8, p: 1 } as const;
export const SALT_BYTES = 32;
/** Accepted on read: from the 2^14 floor of interactive use up to 2^20 (1 GiB at r = 8). */
export const SCRYPT_BOUNDS = { log2N: [14, 20], r: [1, 16], p: [1, 4] } as const;
export const MIN_PASSPHRASE_CHARS = 8;
export const MAX_PASSPHRASE_BYTES = 1024;

export function newScryptParams(): ScryptParams {
  return { ...SCRYPT_DEFAULTS, salt: new Uint8Array(randomBytes(SALT_BYTES)) };
}

/** The parameters' fields as identity_key stores them, bounded by SCRYPT_BOUNDS (checked on read). */
export const scryptParamFields = {
  log2N: int(...SCRYPT_BOUNDS.log2N),
  r: int(...SCRYPT_BOUNDS.r),
  p: int(...SCRYPT_BOUNDS.p),
};

/**
 * The passphrase as the KDF sees it: Unicode NFC (the same passphrase typed through different
 * input methods gives the same bytes), UTF-8. Refuses what cannot be a passphrase we accept.
 */
export function passphraseBytes(text: string): Uint8Array {
  const bytes = new TextEncoder().encode(text.normalize('NFC'));
  if (bytes.length === 0) throw new MemCloudError(ErrorCodes.BAD_ARGUMENT, 'The passphrase is empty.');
  if (bytes.length > MAX_PASSPHRASE_BYTES) throw new MemCloudError(ErrorCodes.BAD_ARGUMENT, `The passphrase is longer than ${MAX_PASSPHRASE_BYTES} bytes.`);
  return bytes;
}

/** A 32-byte wrapping key from the passphrase bytes; the caller zeroes it. */
export function deriveKey(passphrase: Uint8Array, params: ScryptParams): Promise<Uint8Array> {
  const N = 2 ** params.log2N;
  const maxmem = 128 * N * params.r * (params.p + 1) + 1024 * 1024;
  return new Promise((resolve, reject) => {
    scrypt(passphrase, params.salt, WRAP_KEY_BYTES, { N, r: params.r, p: params.p, maxmem }, (err, key) => {
      if (err) return reject(new MemCloudError(ErrorCodes.INTERNAL, `scrypt failed: ${err.message}`));
      const out = Uint8Array.from(key);
      key.fill(0);
      resolve(out);
    });
  });
}
