// The asymmetric seam: X25519 (Noise DH) and Ed25519 (device identity), one implementation per
// backend. Long-lived secrets are imported once into a handle (node:crypto's KeyObject import costs
// about as much as the operation itself); one-off operations import, use and destroy.

import { ErrorCodes, MemCloudError } from '../../errors';
import type { CryptoBackendName } from '../backend-name';

/** An X25519 secret ready for DH. */
export interface X25519Key {
  /** X25519(secret, publicKey) into a 32-byte output; an all-zero result (low-order point) throws HANDSHAKE_FAILED. */
  dh(publicKey: Uint8Array, out: Uint8Array): void;
  /** Forgets the secret (wipes the handle's copy, where it has one). Idempotent. */
  destroy(): void;
}

/** An Ed25519 signing key (from its 32-byte seed) ready to sign. */
export interface Ed25519Signer {
  /** Deterministic RFC 8032 signature into a 64-byte output. */
  sign(message: Uint8Array, out: Uint8Array): void;
  destroy(): void;
}

export interface GeneratedX25519 {
  /** The caller owns these bytes and zeroes them when done; key.destroy() zeroes secretKey too. */
  readonly secretKey: Uint8Array;
  readonly publicKey: Uint8Array;
  readonly key: X25519Key;
}

export interface AsymBackend {
  readonly name: CryptoBackendName;
  /** A fresh X25519 key pair with its handle. */
  generateX25519(): GeneratedX25519;
  /** A handle for a 32-byte X25519 secret; the handle keeps its own copy, `secretKey` stays the caller's. */
  importX25519(secretKey: Uint8Array): X25519Key;
  /** A signer for a 32-byte Ed25519 seed; the seed stays the caller's. */
  importEd25519(seed: Uint8Array): Ed25519Signer;
  /** RFC 8032 verification; malformed keys or signatures are simply invalid. */
  ed25519Verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean;
}

/** Every backend refuses an all-zero X25519 output; they report it through this one error. */
export function lowOrderPoint(): MemCloudError {
  return new MemCloudError(ErrorCodes.HANDSHAKE_FAILED, 'x25519: peer public key is a low-order point');
}

/** One-off DH: import, use, destroy. */
export function x25519Once(asym: AsymBackend, secretKey: Uint8Array, publicKey: Uint8Array, out: Uint8Array): void {
  const key = asym.importX25519(secretKey);
  try {
    key.dh(publicKey, out);
  } finally {
    key.destroy();
  }
}

/** One-off signature: import, sign, destroy. */
export function ed25519SignOnce(asym: AsymBackend, seed: Uint8Array, message: Uint8Array, out: Uint8Array): void {
  const signer = asym.importEd25519(seed);
  try {
    signer.sign(message, out);
  } finally {
    signer.destroy();
  }
}
