// The engine's SHA-256 in JavaScript (engine/crypto/noise/compact-sha256.ts): known answers of
// FIPS 180-4 and RFC 4231, and the same bytes as OpenSSL (node:crypto) for every length around the
// block and padding boundaries, split into parts at every place, HMAC keys of every size class.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { hmacSha256, noiseHkdfSha256, sha256 } from '../../../../engine/crypto/noise/compact-sha256';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const ascii = (s: string) => new Uint8Array(Buffer.from(s, 'ascii'));

describe('compact SHA-256', () => {
  test('FIPS 180-4 known answers', () => {
    assert.equal(hex(sha256()), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    assert.equal(hex(sha256(ascii('abc'))), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    assert.equal(
      hex(sha256(ascii('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'))),
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    );
    const million = new Uint8Array(1_000_000).fill(0x61);
    assert.equal(hex(sha256(million)), 'cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0');
  });

  test('equals OpenSSL for every length 0-300, split into two or three parts anywhere', () => {
    for (let length = 0; length <= 300; length++) {
      const m = randomBytes(length);
      const expected = createHash('sha256').update(m).digest('hex');
      assert.equal(hex(sha256(m)), expected, `length ${length}`);
      for (const cut of [0, 1, 31, 55, 56, 63, 64, 65, length - 1]) {
        if (cut < 0 || cut > length) continue;
        const second = Math.min(length, cut + 7);
        assert.equal(hex(sha256(m.subarray(0, cut), m.subarray(cut, second), m.subarray(second))), expected, `length ${length}, cut ${cut}`);
      }
    }
  });

  test('HMAC: RFC 4231 test cases 1, 2 and 6 (a key longer than the block)', () => {
    assert.equal(
      hex(hmacSha256(new Uint8Array(20).fill(0x0b), ascii('Hi There'))),
      'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7',
    );
    assert.equal(hex(hmacSha256(ascii('Jefe'), ascii('what do ya want for nothing?'))), '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
    assert.equal(
      hex(hmacSha256(new Uint8Array(131).fill(0xaa), ascii('Test Using Larger Than Block-Size Key - Hash Key First'))),
      '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54',
    );
  });

  test('HMAC equals OpenSSL for keys of 0, 1, 32, 64, 65 and 200 bytes and messages of 0-150 bytes', () => {
    for (const keyLength of [0, 1, 32, 64, 65, 200]) {
      for (let length = 0; length <= 150; length += 7) {
        const key = randomBytes(keyLength);
        const m = randomBytes(length);
        assert.equal(hex(hmacSha256(key, m)), createHmac('sha256', key).update(m).digest('hex'), `key ${keyLength}, message ${length}`);
      }
    }
  });

  test('the Noise HKDF: each output is HMAC(temp_key, previous output || i) with temp_key = HMAC(ck, ikm)', () => {
    for (const ikmLength of [0, 32, 100]) {
      const ck = randomBytes(32);
      const ikm = randomBytes(ikmLength);
      const temp = createHmac('sha256', ck).update(ikm).digest();
      const o1 = createHmac('sha256', temp).update(Uint8Array.of(1)).digest();
      const o2 = createHmac('sha256', temp).update(o1).update(Uint8Array.of(2)).digest();
      const o3 = createHmac('sha256', temp).update(o2).update(Uint8Array.of(3)).digest();
      assert.deepEqual(noiseHkdfSha256(ck, ikm, 2).map(hex), [o1, o2].map(hex));
      assert.deepEqual(noiseHkdfSha256(ck, ikm, 3).map(hex), [o1, o2, o3].map(hex));
    }
  });

  test('its inputs are left as they were, and calls in between do not leak into each other', () => {
    const ck = randomBytes(32);
    const ikm = randomBytes(32);
    const before = hex(ck) + hex(ikm);
    const first = noiseHkdfSha256(ck, ikm, 3).map(hex);
    hmacSha256(randomBytes(100), randomBytes(10));
    sha256(randomBytes(77));
    assert.equal(hex(ck) + hex(ikm), before);
    assert.deepEqual(noiseHkdfSha256(ck, ikm, 3).map(hex), first);
  });
});
