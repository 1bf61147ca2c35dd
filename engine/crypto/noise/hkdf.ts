// Noise spec §4.3: HMAC (RFC 2104) and the Noise HKDF, generic over any NoiseHash.

import { zero } from './bytes';
import type { NoiseHash } from './hash';

const IPAD = 0x36;
const OPAD = 0x5c;

/** HMAC-HASH(key, data[0] || data[1] || ...). */
export function hmac(hash: NoiseHash, key: Uint8Array, ...data: Uint8Array[]): Uint8Array {
  const block = new Uint8Array(hash.blockLen);
  if (key.length > hash.blockLen) {
    const hashed = hash.hash(key);
    block.set(hashed);
    zero(hashed);
  } else {
    block.set(key);
  }
  for (let i = 0; i < block.length; i++) block[i] ^= IPAD;
  const inner = hash.hash(block, ...data);
  // Turn the ipad-keyed block into the opad-keyed one: x ^ IPAD ^ OPAD.
  for (let i = 0; i < block.length; i++) block[i] ^= IPAD ^ OPAD;
  const out = hash.hash(block, inner);
  zero(block);
  zero(inner);
  return out;
}

/**
 * HKDF(chaining_key, input_key_material, num_outputs): 2 or 3 outputs of HASHLEN bytes each.
 * Intermediate keys are zeroed; the caller owns (and must zero) the outputs.
 */
export function hkdf(hash: NoiseHash, chainingKey: Uint8Array, ikm: Uint8Array, numOutputs: 2 | 3): Uint8Array[] {
  if (hash.hkdf) return hash.hkdf(chainingKey, ikm, numOutputs);
  const tempKey = hmac(hash, chainingKey, ikm);
  const out1 = hmac(hash, tempKey, Uint8Array.of(0x01));
  const out2 = hmac(hash, tempKey, out1, Uint8Array.of(0x02));
  if (numOutputs === 2) {
    zero(tempKey);
    return [out1, out2];
  }
  const out3 = hmac(hash, tempKey, out2, Uint8Array.of(0x03));
  zero(tempKey);
  return [out1, out2, out3];
}
