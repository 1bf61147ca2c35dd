// HASH, HMAC and the Noise HKDF checked against node:crypto (OpenSSL), for all four hashes.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { noiseHashes, type NoiseHashName } from '../../../../engine/crypto/noise/hash';
import { hkdf, hmac } from '../../../../engine/crypto/noise/hkdf';
import { COMPACT_SHA256 } from '../../../../engine/crypto/noise/compact-sha256';

const nodeName: Record<NoiseHashName, string> = {
  SHA256: 'sha256',
  SHA512: 'sha512',
  BLAKE2s: 'blake2s256',
  BLAKE2b: 'blake2b512',
};
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

for (const [name, hash] of Object.entries(noiseHashes) as [NoiseHashName, (typeof noiseHashes)[NoiseHashName]][]) {
  describe(name, () => {
    test('HASH of several parts equals the hash of their concatenation', () => {
      const a = randomBytes(70);
      const b = randomBytes(5);
      const expected = createHash(nodeName[name]).update(a).update(b).digest();
      assert.equal(hex(hash.hash(a, b)), hex(expected));
      assert.equal(hash.hash().length, hash.hashLen);
    });

    test('HMAC matches RFC 2104 for empty, short, block-sized and over-long keys', () => {
      for (const keyLength of [0, 1, hash.hashLen, hash.blockLen, hash.blockLen + 1, 300]) {
        const key = randomBytes(keyLength);
        const data = randomBytes(100);
        const expected = createHmac(nodeName[name], key).update(data).digest();
        assert.equal(hex(hmac(hash, key, data.subarray(0, 40), data.subarray(40))), hex(expected), `key ${keyLength}`);
      }
    });

    test('HKDF with 2 and 3 outputs equals RFC 5869 HKDF (salt = ck, empty info)', () => {
      const ck = randomBytes(hash.hashLen);
      for (const ikm of [new Uint8Array(0), randomBytes(32)]) {
        const expected = Buffer.from(hkdfSync(nodeName[name], ikm, ck, new Uint8Array(0), 3 * hash.hashLen));
        const three = hkdf(hash, ck, ikm, 3);
        assert.equal(three.length, 3);
        assert.equal(hex(Buffer.concat(three)), hex(expected));
        const two = hkdf(hash, ck, ikm, 2);
        assert.equal(two.length, 2);
        assert.equal(hex(Buffer.concat(two)), hex(expected.subarray(0, 2 * hash.hashLen)));
      }
    });
  });
}

// The engine's SHA256 (compact-sha256.ts, JavaScript) computes the HKDF itself: it must give
// the bytes of the generic construction over the independent noble SHA256, for every input shape
// the handshake uses (empty for Split, 32 bytes for DH outputs and keys, longer labels).
describe('compact SHA256 (the engine\'s)', () => {
  test('its one-call HKDF equals the generic HMAC construction over noble SHA256, 2 and 3 outputs', () => {
    assert.ok(COMPACT_SHA256.hkdf, 'the engine hash brings its own HKDF');
    for (const ikmLength of [0, 1, 32, 64, 65, 100]) {
      const ck = randomBytes(32);
      const ikm = randomBytes(ikmLength);
      for (const n of [2, 3] as const) {
        const own = hkdf(COMPACT_SHA256, ck, ikm, n);
        assert.equal(own.length, n);
        assert.ok(own.every((o) => o.length === 32));
        assert.equal(hex(Buffer.concat(own)), hex(Buffer.concat(hkdf(noiseHashes.SHA256, ck, ikm, n))), `ikm ${ikmLength}, ${n} outputs`);
      }
    }
  });

  test('its outputs are separate memory: zeroing one leaves the others intact', () => {
    const [a, b, c] = hkdf(COMPACT_SHA256, randomBytes(32), randomBytes(32), 3) as [Uint8Array, Uint8Array, Uint8Array];
    const before = hex(b) + hex(c);
    a.fill(0);
    assert.equal(hex(b) + hex(c), before);
    assert.ok(b.some((x) => x !== 0) && c.some((x) => x !== 0));
  });
});
