// The public-key text form: what `memcloud id` prints and `memcloud trust add <key>` accepts.
// Canonical form: base64url without padding (43 characters); 64 hex characters are also accepted.

import { timingSafeEqual } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import { ErrorCodes, MemCloudError } from '../errors';
import { decodeBase64urlExact, encodeBase64url } from './base64url';

export const PUBLIC_KEY_BYTES = 32;
export const PUBLIC_KEY_TEXT_LENGTH = 43;

const HEX_KEY = /^[0-9a-fA-F]{64}$/;

export function encodePublicKey(publicKey: Uint8Array): string {
  if (publicKey.length !== PUBLIC_KEY_BYTES) throw new RangeError(`public key must be ${PUBLIC_KEY_BYTES} bytes`);
  return encodeBase64url(publicKey);
}

/**
 * True for the canonical encoding of a point in Ed25519's prime-order subgroup, the only keys
 * getPublicKey can produce. Rejects non-canonical encodings and small-order (weak) points.
 */
export function isValidPublicKey(publicKey: Uint8Array): boolean {
  if (publicKey.length !== PUBLIC_KEY_BYTES) return false;
  try {
    const point = ed25519.Point.fromBytes(publicKey, false);
    return !point.isSmallOrder() && point.isTorsionFree();
  } catch {
    return false;
  }
}

/** Decode the canonical text form (no hex, no whitespace) of a valid key; undefined otherwise. */
export function decodePublicKeyText(text: string): Uint8Array | undefined {
  const bytes = decodeBase64urlExact(text, PUBLIC_KEY_BYTES);
  return bytes !== undefined && isValidPublicKey(bytes) ? bytes : undefined;
}

/** True for the text form of a valid Ed25519 public key (what decodePublicKeyText accepts). */
export function isPublicKeyText(value: unknown): value is string {
  return typeof value === 'string' && decodePublicKeyText(value) !== undefined;
}

/** Parse user input: 43 base64url characters or 64 hex characters, surrounding whitespace ignored. */
export function parsePublicKey(text: string): Uint8Array {
  const t = typeof text === 'string' ? text.trim() : '';
  let bytes: Uint8Array | undefined;
  if (HEX_KEY.test(t)) bytes = new Uint8Array(Buffer.from(t, 'hex'));
  else bytes = decodeBase64urlExact(t, PUBLIC_KEY_BYTES);
  if (bytes === undefined) {
    throw new MemCloudError(
      ErrorCodes.BAD_ARGUMENT,
      `Not a MemCloud public key: expected ${PUBLIC_KEY_TEXT_LENGTH} base64url characters as printed by ` +
        '`memcloud id` on the other device, or 64 hex characters.',
    );
  }
  if (!isValidPublicKey(bytes)) {
    throw new MemCloudError(
      ErrorCodes.BAD_ARGUMENT,
      'Not a valid Ed25519 public key (the value decodes, but is not a usable curve point). ' +
        'Copy the key again from `memcloud id` on the other device.',
    );
  }
  return bytes;
}

/** Constant-time equality, for comparisons that decide who is who. */
export function publicKeysEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
