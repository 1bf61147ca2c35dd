// The engine's Noise SHA256, every backend's: SHA-256 (FIPS 180-4), its HMAC (RFC 2104) and the
// Noise HKDF in JavaScript, for the handshake's short inputs. Every node:crypto call costs a few
// microseconds of fixed overhead (an object, a native context, a Buffer, later its GC), more than
// hashing a block or two costs here once the JIT has compiled it. A handshake hashes dozens of
// short messages (MixHash, and HMAC inside every HKDF): here each HMAC key's inner and outer
// states are computed once per key, and nothing is allocated but the 32-byte outputs
// (docs/performance.md, "Handshake CPU"). Long inputs work, just slower than OpenSSL.
//
// Everything runs on module-level scratch arrays (JavaScript is single-threaded and no function
// here yields), zeroed after each use that held key material: HMAC keys and HKDF intermediates.
// No table is indexed by data, and no branch depends on it: only on lengths.

import type { NoiseHash } from './hash';

const K = Int32Array.from([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);
const IV = Int32Array.from([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);

export const BLOCK_LENGTH = 64;
export const DIGEST_LENGTH = 32;

const W = new Int32Array(64);

/** One compression of `block[at .. at + 64)` into `state`. */
function compress(state: Int32Array, block: Uint8Array, at: number): void {
  for (let i = 0; i < 16; i++, at += 4) {
    W[i] = (block[at]! << 24) | (block[at + 1]! << 16) | (block[at + 2]! << 8) | block[at + 3]!;
  }
  for (let i = 16; i < 64; i++) {
    const x = W[i - 15]!;
    const y = W[i - 2]!;
    const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
    const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
    W[i] = (W[i - 16]! + s0 + W[i - 7]! + s1) | 0;
  }
  let a = state[0]!, b = state[1]!, c = state[2]!, d = state[3]!;
  let e = state[4]!, f = state[5]!, g = state[6]!, h = state[7]!;
  for (let i = 0; i < 64; i++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (h + S1 + ((e & f) ^ (~e & g)) + K[i]! + W[i]!) | 0;
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  state[0] = (state[0]! + a) | 0;
  state[1] = (state[1]! + b) | 0;
  state[2] = (state[2]! + c) | 0;
  state[3] = (state[3]! + d) | 0;
  state[4] = (state[4]! + e) | 0;
  state[5] = (state[5]! + f) | 0;
  state[6] = (state[6]! + g) | 0;
  state[7] = (state[7]! + h) | 0;
}

/** A running hash on caller-owned arrays: state (8 words) and a partial block. */
class Sha256 {
  readonly state = new Int32Array(8);
  readonly block = new Uint8Array(BLOCK_LENGTH);
  private filled = 0;
  private total = 0;

  /** Starts from the IV, or from a saved state after `bytesSoFar` (a whole number of blocks). */
  begin(from: Int32Array = IV, bytesSoFar = 0): this {
    this.state.set(from);
    this.filled = 0;
    this.total = bytesSoFar;
    return this;
  }

  update(data: Uint8Array): this {
    let at = 0;
    const n = data.length;
    this.total += n;
    if (this.filled > 0) {
      const take = Math.min(BLOCK_LENGTH - this.filled, n);
      this.block.set(data.subarray(0, take), this.filled);
      this.filled += take;
      at = take;
      if (this.filled < BLOCK_LENGTH) return this;
      compress(this.state, this.block, 0);
      this.filled = 0;
    }
    for (; at + BLOCK_LENGTH <= n; at += BLOCK_LENGTH) compress(this.state, data, at);
    if (at < n) {
      this.block.set(data.subarray(at), 0);
      this.filled = n - at;
    }
    return this;
  }

  /** Pads, writes the digest into `out` at `offset`, and zeroes the block. */
  finish(out: Uint8Array, offset = 0): Uint8Array {
    const bits = this.total * 8;
    const block = this.block;
    block[this.filled++] = 0x80;
    if (this.filled > BLOCK_LENGTH - 8) {
      block.fill(0, this.filled);
      compress(this.state, block, 0);
      this.filled = 0;
    }
    block.fill(0, this.filled, BLOCK_LENGTH - 8);
    const high = Math.floor(bits / 0x100000000);
    block[56] = high >>> 24;
    block[57] = high >>> 16;
    block[58] = high >>> 8;
    block[59] = high;
    block[60] = bits >>> 24;
    block[61] = bits >>> 16;
    block[62] = bits >>> 8;
    block[63] = bits;
    compress(this.state, block, 0);
    for (let i = 0; i < 8; i++) {
      const w = this.state[i]!;
      out[offset + 4 * i] = w >>> 24;
      out[offset + 4 * i + 1] = w >>> 16;
      out[offset + 4 * i + 2] = w >>> 8;
      out[offset + 4 * i + 3] = w;
    }
    block.fill(0);
    this.filled = 0;
    return out;
  }

  wipe(): void {
    this.state.fill(0);
    this.block.fill(0);
    this.filled = 0;
    this.total = 0;
  }
}

const running = new Sha256();

/** SHA-256(parts[0] || parts[1] || ...) into a new 32-byte array. */
export function sha256(...parts: Uint8Array[]): Uint8Array {
  running.begin();
  for (const p of parts) running.update(p);
  return running.finish(new Uint8Array(DIGEST_LENGTH));
}

/** HMAC-SHA256 with the key's inner and outer states computed once, for several messages. */
class HmacKey {
  readonly inner = new Int32Array(8);
  readonly outer = new Int32Array(8);
  private readonly pad = new Uint8Array(BLOCK_LENGTH);
  private readonly scratch = new Uint8Array(DIGEST_LENGTH);

  set(key: Uint8Array): this {
    const pad = this.pad;
    pad.fill(0);
    if (key.length > BLOCK_LENGTH) running.begin().update(key).finish(pad);
    else pad.set(key);
    for (let i = 0; i < BLOCK_LENGTH; i++) pad[i]! ^= 0x36;
    this.inner.set(IV);
    compress(this.inner, pad, 0);
    for (let i = 0; i < BLOCK_LENGTH; i++) pad[i]! ^= 0x36 ^ 0x5c;
    this.outer.set(IV);
    compress(this.outer, pad, 0);
    pad.fill(0);
    return this;
  }

  /** HMAC(key, a || b) into `out` at `offset`. */
  mac(a: Uint8Array, b: Uint8Array | null, out: Uint8Array, offset = 0): Uint8Array {
    running.begin(this.inner, BLOCK_LENGTH).update(a);
    if (b !== null) running.update(b);
    running.finish(this.scratch);
    running.begin(this.outer, BLOCK_LENGTH).update(this.scratch).finish(out, offset);
    this.scratch.fill(0);
    running.state.fill(0);
    return out;
  }

  wipe(): void {
    this.inner.fill(0);
    this.outer.fill(0);
  }
}

const chainKey = new HmacKey();
const tempKey = new HmacKey();
const temp = new Uint8Array(DIGEST_LENGTH);
const EMPTY = new Uint8Array(0);
const OUTPUT_BYTE = [Uint8Array.of(0x01), Uint8Array.of(0x02), Uint8Array.of(0x03)] as const;

/** HMAC-SHA256(key, data) into a new 32-byte array. */
export function hmacSha256(key: Uint8Array, data: Uint8Array): Uint8Array {
  const out = chainKey.set(key).mac(data, null, new Uint8Array(DIGEST_LENGTH));
  chainKey.wipe();
  return out;
}

/**
 * The Noise HKDF (spec section 4.3) over SHA-256: temp_key = HMAC(ck, ikm), output i =
 * HMAC(temp_key, output i-1 || i). Each output is its own 32-byte array, owned by the caller.
 */
export function noiseHkdfSha256(chainingKey: Uint8Array, ikm: Uint8Array, numOutputs: 2 | 3): Uint8Array[] {
  chainKey.set(chainingKey).mac(ikm, null, temp);
  chainKey.wipe();
  tempKey.set(temp);
  temp.fill(0);
  const outputs: Uint8Array[] = [];
  let previous: Uint8Array = EMPTY;
  for (let i = 0; i < numOutputs; i++) {
    previous = tempKey.mac(previous, OUTPUT_BYTE[i]!, new Uint8Array(DIGEST_LENGTH));
    outputs.push(previous);
  }
  tempKey.wipe();
  return outputs;
}

export const COMPACT_SHA256: NoiseHash = Object.freeze({
  name: 'SHA256' as const,
  hashLen: 32 as const,
  blockLen: 64 as const,
  hash: sha256,
  hkdf: noiseHkdfSha256,
});
