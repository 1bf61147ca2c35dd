// The JavaScript SHA-256 behind sealed blocks' subkeys and key-name digests (engine/crypto/short-sha256.ts)
// gives node:crypto's bytes: every message length around the 64-byte block and the padding's
// one-or-two-block boundary, with and without a saved chaining value in front.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { midstate, sha256From } from '../../../engine/crypto/short-sha256';

const sha256 = (...parts: Uint8Array[]) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};

test('SHA-256 of every message length from 0 to 300 bytes equals node:crypto', () => {
  for (let len = 0; len <= 300; len++) {
    const m = randomBytes(len);
    const out = Buffer.alloc(40, 0xaa);
    sha256From(null, 0, m, out, 5);
    assert.deepEqual(out.subarray(5, 37), sha256(m), `length ${len}`);
    assert.equal(out.subarray(0, 5).toString('hex') + out.subarray(37).toString('hex'), 'aa'.repeat(8), 'writes only its 32 bytes');
  }
  const abc = Buffer.alloc(32);
  sha256From(null, 0, Buffer.from('abc'), abc);
  assert.equal(abc.toString('hex'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad', 'FIPS 180-4 example "abc"');
});

test('from a midstate of whole blocks: SHA-256 of those blocks and then the message', () => {
  for (const blocks of [1, 2, 5]) {
    const front = randomBytes(64 * blocks);
    const start = midstate(front);
    const saved = Int32Array.from(start);
    for (const len of [0, 1, 40, 55, 56, 63, 64, 65, 130]) {
      const m = randomBytes(len);
      const out = Buffer.alloc(32);
      sha256From(start, front.length, m, out);
      assert.deepEqual(out, sha256(front, m), `${blocks} blocks then ${len} bytes`);
    }
    assert.deepEqual(start, saved, 'the midstate is left as it was');
  }
  assert.throws(() => midstate(randomBytes(65)), /whole 64-byte blocks/);
});
