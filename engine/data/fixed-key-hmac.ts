// HMAC-SHA256 (RFC 2104) under one fixed key, for short messages on a hot path: per-block subkeys
// (block-seal.ts). HMAC(K, m) = SHA-256((K ^ opad) || SHA-256((K ^ ipad) || m)). The two padded key
// blocks are compressed once, here, and kept as SHA-256 chaining values (short-sha256.ts): each MAC
// then costs the compressions of the message and of the inner digest only, in JavaScript, with no
// call into C++ (a subkey: two compressions, measured ~1 us, against ~3 us for two one-shot
// node:crypto calls and ~4.5 us for a createHmac object).
// The output is exactly node:crypto's createHmac('sha256', key) (test/engine/data/block-seal.test.ts).

import { SHA256_BYTES, midstate, sha256From } from '../crypto/short-sha256';

const BLOCK = 64; // SHA-256's block size

export class FixedKeyHmac {
  /** The chaining values after (K ^ ipad) and after (K ^ opad): as secret as the key itself. */
  readonly #inner: Int32Array;
  readonly #outer: Int32Array;
  /** prefix || room for the message. */
  readonly #message: Uint8Array;
  readonly #prefixBytes: number;
  readonly #innerDigest = new Uint8Array(SHA256_BYTES);

  /**
   * `prefix` is the constant start of every message; `messageBytes` the length of what follows it.
   * The key must be at most 64 bytes (ours are 32), so it is used as is, not hashed first.
   */
  constructor(key: Uint8Array, prefix: Uint8Array, messageBytes: number) {
    if (key.length > BLOCK) throw new Error('FixedKeyHmac: keys longer than 64 bytes are not supported');
    const pad = new Uint8Array(BLOCK);
    for (let i = 0; i < BLOCK; i++) pad[i] = (i < key.length ? key[i]! : 0) ^ 0x36;
    this.#inner = midstate(pad);
    for (let i = 0; i < BLOCK; i++) pad[i] = (i < key.length ? key[i]! : 0) ^ 0x5c;
    this.#outer = midstate(pad);
    pad.fill(0);
    this.#message = new Uint8Array(prefix.length + messageBytes);
    this.#message.set(prefix, 0);
    this.#prefixBytes = prefix.length;
  }

  /**
   * HMAC(key, prefix || message[at .. at + messageBytes]) into the first 32 bytes of `out`, which
   * the caller zeroes when done. Scratch bytes that held derived values are zeroed before returning.
   */
  macInto(message: Uint8Array, at: number, out: Uint8Array): void {
    const m = this.#message;
    const p = this.#prefixBytes;
    m.set(message.subarray(at, at + m.length - p), p);
    const digest = this.#innerDigest;
    sha256From(this.#inner, BLOCK, m, digest);
    sha256From(this.#outer, BLOCK, digest, out);
    digest.fill(0);
  }
}
