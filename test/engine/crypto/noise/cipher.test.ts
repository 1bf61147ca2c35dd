// ChaChaPoly as Noise uses it, checked against node:crypto: the nonce layout (4 zero bytes ||
// 64-bit little-endian counter), REKEY at nonce 2^64 - 1, and one error for every decrypt failure.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createCipheriv, randomBytes } from 'node:crypto';
import { isMemCloudError } from '../../../../engine/errors';
import { chachaPolyNonce } from '../../../../engine/crypto/aead/nonce';
import { nobleChaChaPoly } from '../../../support/noise-kit';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

function nodeSeal(key: Uint8Array, nonce: Uint8Array, ad: Uint8Array, plaintext: Uint8Array): Buffer {
  const c = createCipheriv('chacha20-poly1305', key, nonce, { authTagLength: 16 });
  c.setAAD(ad, { plaintextLength: plaintext.length });
  return Buffer.concat([c.update(plaintext), c.final(), c.getAuthTag()]);
}

describe('ChaChaPoly', () => {
  test('nonce encoding: 4 zero bytes then the counter, little-endian', () => {
    assert.equal(hex(chachaPolyNonce(0)), '000000000000000000000000');
    assert.equal(hex(chachaPolyNonce(1)), '000000000100000000000000');
    assert.equal(hex(chachaPolyNonce(0x1_0000_0005)), '000000000500000001000000');
    assert.equal(hex(chachaPolyNonce(Number.MAX_SAFE_INTEGER)), '00000000ffffffffffff1f00');
    for (const bad of [-1, 1.5, Number.MAX_SAFE_INTEGER + 1, Number.NaN]) {
      assert.throws(() => chachaPolyNonce(bad), (e) => isMemCloudError(e, 'BAD_ARGUMENT'), String(bad));
    }
  });

  test('encrypt equals node:crypto chacha20-poly1305 and decrypt inverts it', () => {
    const key = randomBytes(32);
    const ad = randomBytes(32);
    for (const n of [0, 7, 0xffff_ffff, 0x1_0000_0000, 2 ** 40 + 3]) {
      const plaintext = randomBytes(50);
      const sealed = nobleChaChaPoly.encrypt(key, n, ad, plaintext);
      assert.equal(hex(sealed), hex(nodeSeal(key, chachaPolyNonce(n), ad, plaintext)), `nonce ${n}`);
      assert.equal(hex(nobleChaChaPoly.decrypt(key, n, ad, sealed)), hex(plaintext));
    }
  });

  test('REKEY is the first 32 bytes of ENCRYPT(k, 2^64 - 1, empty, 32 zero bytes)', () => {
    const key = randomBytes(32);
    const maxNonce = Buffer.from('00000000ffffffffffffffff', 'hex');
    const expected = nodeSeal(key, maxNonce, new Uint8Array(0), new Uint8Array(32)).subarray(0, 32);
    const next = nobleChaChaPoly.rekey(key);
    assert.equal(next.length, 32);
    assert.equal(hex(next), hex(expected));
  });

  test('every decrypt failure is DECRYPT_FAILED: tag, ciphertext, ad, nonce, key, too short', () => {
    const key = randomBytes(32);
    const ad = randomBytes(8);
    const sealed = nobleChaChaPoly.encrypt(key, 5, ad, randomBytes(20));
    const flipped = (i: number) => {
      const copy = sealed.slice();
      copy[i]! ^= 1;
      return copy;
    };
    const attempts: [string, () => unknown][] = [
      ['tag', () => nobleChaChaPoly.decrypt(key, 5, ad, flipped(sealed.length - 1))],
      ['body', () => nobleChaChaPoly.decrypt(key, 5, ad, flipped(0))],
      ['ad', () => nobleChaChaPoly.decrypt(key, 5, randomBytes(8), sealed)],
      ['nonce', () => nobleChaChaPoly.decrypt(key, 6, ad, sealed)],
      ['key', () => nobleChaChaPoly.decrypt(randomBytes(32), 5, ad, sealed)],
      ['short', () => nobleChaChaPoly.decrypt(key, 5, ad, sealed.subarray(0, 15))],
    ];
    for (const [what, attempt] of attempts) {
      assert.throws(attempt, (e) => isMemCloudError(e, 'DECRYPT_FAILED'), what);
    }
  });

  test('keys must be 32 bytes', () => {
    assert.throws(() => nobleChaChaPoly.encrypt(new Uint8Array(31), 0, new Uint8Array(0), new Uint8Array(0)), (e) =>
      isMemCloudError(e, 'BAD_ARGUMENT'),
    );
    assert.throws(() => nobleChaChaPoly.rekey(new Uint8Array(16)), (e) => isMemCloudError(e, 'BAD_ARGUMENT'));
  });
});
