// Pure-JS ChaCha20-Poly1305 from @noble/ciphers: works on every runtime, including one where
// WebAssembly cannot start.
//
// The AEAD is composed here from noble's two primitives, exactly as RFC 8439 section 2.8 defines it:
//   otk = ChaCha20(key, nonce, counter 0) over 32 zero bytes
//   ciphertext = ChaCha20(key, nonce, counter 1) XOR plaintext
//   tag = Poly1305(otk, ad || pad16 || ciphertext || pad16 || len(ad):u64 LE || len(ct):u64 LE)
// rather than through noble's chacha20poly1305 wrapper, which copies the plaintext into its output
// before it encrypts in place, copies the ciphertext again to decrypt, and allocates its lengths
// and tag per call: at the sizes most records and blocks have (64 B to a few KiB) that is a fifth to
// a third of the call (docs/performance.md, "Noble's AEAD, composed here"). The cipher and the MAC are
// noble's; test/engine/crypto/aead/noble-composed.test.ts checks every byte against noble's own
// chacha20poly1305 and the RFC's vector.

import { chacha20 } from '@noble/ciphers/chacha.js';
import { poly1305 } from '@noble/ciphers/_poly1305.js';
import { equalBytes } from '@noble/ciphers/utils.js';
import type { ChaChaPolyCore } from './aead';

const TAG_BYTES = 16;
const ZEROS = new Uint8Array(32);
/**
 * Up to this many bytes, the one-time key and the text come from ONE ChaCha20 call over
 * block 0 (64 zero bytes) || text, in a scratch buffer: a noble call has a fixed cost of about two
 * microseconds (it copies and checks its key and nonce), a copy of a few KiB far less.
 */
const SMALL = 4096;
// Scratch, reused by every call (calls are synchronous, one thread per module instance):
//   work = block 0 || text, padded to 16 || len(ad):u64 LE || len(text):u64 LE
// The one-time key (work's first 32 bytes) is zeroed as soon as Poly1305 has its copy; plaintext
// left in work by an open is zeroed before the call returns; the tag after it is written out.
const work = new Uint8Array(64 + SMALL + 16);
const workView = new DataView(work.buffer);
const otk = new Uint8Array(32);
const tail = new Uint8Array(16 + 16);
const tailView = new DataView(tail.buffer);
const tag = new Uint8Array(TAG_BYTES);

interface Mac {
  update(b: Uint8Array): unknown;
  digestInto(out: Uint8Array): void;
  destroy(): void;
}

/** A Poly1305 keyed with `key` (32 bytes, then zeroed where they lay), the associated data already in it. */
function macWith(key: Uint8Array, ad: Uint8Array): Mac {
  const mac = poly1305.create(key);
  key.fill(0);
  if (ad.length > 0) {
    mac.update(ad);
    const over = ad.length % 16;
    if (over !== 0) mac.update(ZEROS.subarray(0, 16 - over));
  }
  return mac;
}

/** Finishes the tag: `padded` is the text, zero padding and the two lengths, end to end. */
function finish(mac: Mac, padded: Uint8Array): Uint8Array {
  mac.update(padded);
  mac.digestInto(tag);
  mac.destroy();
  return tag;
}

/** pad16 || len(ad) || len(text), for texts too large for `work`. */
function tailFor(adLength: number, textLength: number): Uint8Array {
  const pad = (16 - (textLength % 16)) % 16;
  tail.fill(0);
  tailView.setUint32(pad, adLength, true);
  tailView.setUint32(pad + 8, textLength, true);
  return tail.subarray(0, pad + 16);
}

/** Writes the lengths after the text in `work` (zeroing its padding); returns the padded end. */
function lengthsInWork(adLength: number, textLength: number): number {
  const end = 64 + textLength + ((16 - (textLength % 16)) % 16);
  work.fill(0, 64 + textLength, end + 16);
  workView.setUint32(end, adLength, true);
  workView.setUint32(end + 8, textLength, true);
  return end + 16;
}

function sealInto(key: Uint8Array, nonce: Uint8Array, ad: Uint8Array, plaintext: Uint8Array, out: Uint8Array): void {
  const n = plaintext.length;
  if (n <= SMALL) {
    work.fill(0, 0, 64);
    work.set(plaintext, 64);
    const stream = work.subarray(0, 64 + n);
    chacha20(key, nonce, stream, stream, 0);
    out.set(work.subarray(64, 64 + n));
    const mac = macWith(work.subarray(0, 32), ad);
    work.fill(0, 32, 64); // the rest of block 0's key stream, unused
    out.set(finish(mac, work.subarray(64, lengthsInWork(ad.length, n))), n);
  } else {
    // noble's XOR runs word-wise only when `out` is 4-byte aligned; packers align their slots.
    const ciphertext = out.subarray(0, n);
    chacha20(key, nonce, movedIfOverlapping(plaintext, ciphertext), ciphertext, 1);
    chacha20(key, nonce, ZEROS, otk, 0);
    const mac = macWith(otk, ad);
    mac.update(ciphertext);
    out.set(finish(mac, tailFor(ad.length, n)), n);
  }
  tag.fill(0);
}

function openInto(key: Uint8Array, nonce: Uint8Array, ad: Uint8Array, record: Uint8Array, out: Uint8Array): boolean {
  const n = record.length - TAG_BYTES;
  const ciphertext = record.subarray(0, n);
  const sent = record.subarray(n);
  if (n <= SMALL) {
    // The tag is over the ciphertext, which the one ChaCha20 call turns into plaintext in `work`:
    // the MAC takes the record's own copy, and nothing reaches `out` before the tag is checked.
    work.fill(0, 0, 64);
    work.set(ciphertext, 64);
    const stream = work.subarray(0, 64 + n);
    chacha20(key, nonce, stream, stream, 0);
    const mac = macWith(work.subarray(0, 32), ad);
    work.fill(0, 32, 64); // the rest of block 0's key stream, unused
    mac.update(ciphertext);
    const ok = equalBytes(finish(mac, tailFor(ad.length, n)), sent);
    tag.fill(0);
    if (ok) out.set(work.subarray(64, 64 + n));
    work.fill(0, 64, 64 + n);
    return ok;
  }
  chacha20(key, nonce, ZEROS, otk, 0);
  const mac = macWith(otk, ad);
  mac.update(ciphertext);
  const ok = equalBytes(finish(mac, tailFor(ad.length, n)), sent);
  tag.fill(0);
  if (!ok) return false;
  chacha20(key, nonce, movedIfOverlapping(ciphertext, out), out, 1);
  return true;
}

/**
 * What to XOR into `to`: `from` itself, or, when the two share memory at different offsets (which
 * noble's stream cipher refuses), `to` after `from` was moved into it (set() copies as memmove does).
 */
function movedIfOverlapping(from: Uint8Array, to: Uint8Array): Uint8Array {
  if (from.buffer !== to.buffer || from.byteOffset === to.byteOffset) return from;
  if (from.byteOffset + from.length <= to.byteOffset || to.byteOffset + to.length <= from.byteOffset) return from;
  to.set(from);
  return to;
}

export const nobleChaChaPoly: ChaChaPolyCore = {
  name: 'noble',

  seal(key, nonce, ad, plaintext) {
    // One fresh (aligned) buffer for ct || tag: hand out views, not copies.
    const sealed = new Uint8Array(plaintext.length + TAG_BYTES);
    sealInto(key, nonce, ad, plaintext, sealed);
    const split = plaintext.length;
    return { ciphertext: sealed.subarray(0, split), tag: sealed.subarray(split) };
  },

  sealInto,

  open(key, nonce, ad, record) {
    const out = new Uint8Array(record.length - TAG_BYTES);
    return openInto(key, nonce, ad, record, out) ? out : null;
  },

  openInto,
};
