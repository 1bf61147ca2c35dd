// The noble backend's Noise functions under the names the Noise-core tests use, plus key pairs
// rebuilt from a known secret (test vectors). Every backend's own suite is crypto/backends.ts's.

import { x25519 as curve } from '@noble/curves/ed25519.js';
import { backend } from '../../engine/crypto/backends';
import type { KeyPair } from '../../engine/crypto/noise/dh';

export const nobleChaChaPoly = backend('noble').noise.cipher;
export const x25519 = backend('noble').noise.dh;

/** The key pair of a known X25519 secret (RFC 7748 and cacophony vectors). */
export function x25519KeyPair(secretKey: Uint8Array): KeyPair {
  return { publicKey: curve.getPublicKey(secretKey), secretKey: Uint8Array.from(secretKey) };
}
