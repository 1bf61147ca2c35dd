// Noise spec §4.1 DH functions: 25519 (X25519, RFC 7748) on @noble/curves.

import { x25519 as curve25519 } from '@noble/curves/ed25519.js';
import { ErrorCodes, MemCloudError } from '../../errors';
import { copyBytes, isAllZero, zero } from './bytes';

export interface KeyPair {
  publicKey: Uint8Array;
  secretKey: Uint8Array;
}

export interface NoiseDH {
  readonly name: '25519';
  readonly dhLen: 32;
  generateKeyPair(): KeyPair;
  /** DH(secretKey, publicKey). Throws HANDSHAKE_FAILED for low-order (all-zero output) points. */
  dh(secretKey: Uint8Array, publicKey: Uint8Array): Uint8Array;
}

const DH_LEN = 32;

function lowOrder(cause?: unknown): MemCloudError {
  return new MemCloudError(ErrorCodes.HANDSHAKE_FAILED, 'invalid DH public key', { cause });
}

/** Rebuild a 25519 key pair from its secret key (e.g. a stored static key or a test vector). */
export function x25519KeyPair(secretKey: Uint8Array): KeyPair {
  if (!(secretKey instanceof Uint8Array) || secretKey.length !== DH_LEN) {
    throw new MemCloudError(ErrorCodes.BAD_ARGUMENT, '25519 secret key must be 32 bytes');
  }
  return { publicKey: curve25519.getPublicKey(secretKey), secretKey: copyBytes(secretKey) };
}

/** The 25519 DH functions on @noble/curves. */
export const x25519: NoiseDH = Object.freeze({
  name: '25519' as const,
  dhLen: 32 as const,

  generateKeyPair(): KeyPair {
    const secretKey = curve25519.utils.randomSecretKey();
    return { publicKey: curve25519.getPublicKey(secretKey), secretKey };
  },

  dh(secretKey: Uint8Array, publicKey: Uint8Array): Uint8Array {
    if (secretKey.length !== DH_LEN || publicKey.length !== DH_LEN) {
      throw new MemCloudError(ErrorCodes.BAD_ARGUMENT, '25519 keys must be 32 bytes');
    }
    let shared: Uint8Array;
    try {
      shared = curve25519.getSharedSecret(secretKey, publicKey);
    } catch (cause) {
      // noble rejects the low-order points up front; nothing else can fail with valid lengths.
      throw lowOrder(cause);
    }
    // Belt and braces: the spec's own test for a low-order point is an all-zero result.
    if (isAllZero(shared)) {
      zero(shared);
      throw lowOrder();
    }
    return shared;
  },
});
