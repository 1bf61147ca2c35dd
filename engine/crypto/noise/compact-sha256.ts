// The engine's Noise SHA256, every backend's: HASH, HMAC (RFC 2104) and the Noise HKDF over the
// JavaScript SHA-256 for short messages (engine/crypto/short-sha256.ts, shared with block sealing).
// A handshake hashes dozens of short messages (MixHash, and HMAC inside every HKDF), and every
// node:crypto call costs a few microseconds of fixed overhead (an object, a native context, a
// Buffer, later their GC): more than compressing the one or two blocks each message needs. Each
// HMAC key's padded blocks are compressed once per HKDF, not once per output
// (docs/performance.md, "Handshake CPU").
//
// Key material only passes through scratch arrays, zeroed after each use; the saved chaining
// values of an HMAC key are as secret as the key and are zeroed when the HKDF returns.

import { SHA256_BYTES, midstate, sha256From } from '../short-sha256';
import { concatBytes } from './bytes';
import type { NoiseHash } from './hash';

const BLOCK = 64;

/** SHA-256(parts[0] || parts[1] || ...) into a new 32-byte array. */
export function sha256(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(SHA256_BYTES);
  sha256From(null, 0, parts.length === 1 ? parts[0]! : concatBytes(parts), out);
  return out;
}

/** An HMAC key as the chaining values after its two padded blocks (RFC 2104's K ^ ipad, K ^ opad). */
class HmacKey {
  readonly #inner: Int32Array;
  readonly #outer: Int32Array;
  readonly #innerDigest = new Uint8Array(SHA256_BYTES);

  constructor(key: Uint8Array) {
    const pad = new Uint8Array(BLOCK);
    if (key.length > BLOCK) sha256From(null, 0, key, pad);
    else pad.set(key);
    for (let i = 0; i < BLOCK; i++) pad[i]! ^= 0x36;
    this.#inner = midstate(pad);
    for (let i = 0; i < BLOCK; i++) pad[i]! ^= 0x36 ^ 0x5c;
    this.#outer = midstate(pad);
    pad.fill(0);
  }

  /** HMAC(key, message) into a new 32-byte array. */
  mac(message: Uint8Array): Uint8Array {
    const out = new Uint8Array(SHA256_BYTES);
    sha256From(this.#inner, BLOCK, message, this.#innerDigest);
    sha256From(this.#outer, BLOCK, this.#innerDigest, out);
    this.#innerDigest.fill(0);
    return out;
  }

  wipe(): void {
    this.#inner.fill(0);
    this.#outer.fill(0);
  }
}

/** HMAC-SHA256(key, data) into a new 32-byte array. */
export function hmacSha256(key: Uint8Array, data: Uint8Array): Uint8Array {
  const k = new HmacKey(key);
  const out = k.mac(data);
  k.wipe();
  return out;
}

/**
 * The Noise HKDF (spec section 4.3) over SHA-256: temp_key = HMAC(ck, ikm), output i =
 * HMAC(temp_key, output i-1 || i). Each output is its own 32-byte array, owned by the caller.
 */
export function noiseHkdfSha256(chainingKey: Uint8Array, ikm: Uint8Array, numOutputs: 2 | 3): Uint8Array[] {
  const tempKey = hmacSha256(chainingKey, ikm);
  const key = new HmacKey(tempKey);
  tempKey.fill(0);
  const input = new Uint8Array(SHA256_BYTES + 1); // output i-1 || i
  const outputs = [key.mac(Uint8Array.of(1))];
  for (let i = 1; i < numOutputs; i++) {
    input.set(outputs[i - 1]!, 0);
    input[SHA256_BYTES] = i + 1;
    outputs.push(key.mac(input));
  }
  input.fill(0);
  key.wipe();
  return outputs;
}

export const COMPACT_SHA256: NoiseHash = Object.freeze({
  name: 'SHA256' as const,
  hashLen: 32 as const,
  blockLen: 64 as const,
  hash: sha256,
  hkdf: noiseHkdfSha256,
});
