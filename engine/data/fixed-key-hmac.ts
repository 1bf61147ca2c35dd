// HMAC-SHA256 (RFC 2104) under one fixed key, for short messages on a hot path: per-block subkeys
// (block-seal.ts). HMAC(K, m) = SHA-256((K ^ opad) || SHA-256((K ^ ipad) || m)); the two padded key
// blocks are made once, so each MAC is two one-shot SHA-256 calls over ~100 bytes into reused
// scratch memory (about half the CPU of a createHmac object per call, measured: 2.4 vs 5 us).
// The output is exactly node:crypto's createHmac('sha256', key) (test/engine/data/block-seal.test.ts).

import { hash } from 'node:crypto';

const BLOCK = 64; // SHA-256's block size
const DIGEST = 32;

export class FixedKeyHmac {
  /** (K ^ ipad) || room for the message prefix and message. */
  readonly #inner: Buffer;
  /** (K ^ opad) || room for the inner digest. */
  readonly #outer = Buffer.alloc(BLOCK + DIGEST);
  readonly #messageBytes: number;

  /**
   * `prefix` is the constant start of every message; `messageBytes` the length of what follows it.
   * The key must be at most 64 bytes (ours are 32), so it is used as is, not hashed first.
   */
  constructor(key: Uint8Array, prefix: Uint8Array, messageBytes: number) {
    if (key.length > BLOCK) throw new Error('FixedKeyHmac: keys longer than 64 bytes are not supported');
    this.#inner = Buffer.alloc(BLOCK + prefix.length + messageBytes);
    for (let i = 0; i < BLOCK; i++) {
      const k = i < key.length ? key[i]! : 0;
      this.#inner[i] = k ^ 0x36;
      this.#outer[i] = k ^ 0x5c;
    }
    this.#inner.set(prefix, BLOCK);
    this.#messageBytes = messageBytes;
  }

  /**
   * HMAC(key, prefix || message[at .. at + messageBytes]), as a new 32-byte Buffer the caller
   * should zero when done. Scratch bytes that held derived values are zeroed before returning.
   */
  mac(message: Uint8Array, at = 0): Buffer {
    const inner = this.#inner;
    const m = this.#messageBytes;
    inner.set(message.subarray(at, at + m), inner.length - m);
    const innerDigest = hash('sha256', inner, 'buffer');
    this.#outer.set(innerDigest, BLOCK);
    innerDigest.fill(0);
    const out = hash('sha256', this.#outer, 'buffer');
    this.#outer.fill(0, BLOCK);
    return out;
  }
}
