// The identity-key check (section 3.4) agrees with a full point decoding on every small-order and
// non-canonical encoding, and accepts real keys.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ed25519 } from '@noble/curves/ed25519.js';
import { isStrictIdentityKey } from '../../../engine/net/identity-key-check';

function byDecoding(key: Uint8Array): boolean {
  try {
    return !ed25519.Point.fromBytes(key, false).isSmallOrder();
  } catch {
    return false;
  }
}

test('small-order points are refused, with either sign bit', () => {
  const t = ed25519.Point.fromHex('c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a');
  let refused = 0;
  for (let k = 0n; k < 8n; k++) {
    const bytes = (k === 0n ? ed25519.Point.ZERO : t.multiply(k)).toBytes();
    for (const flip of [0, 0x80]) {
      const key = Uint8Array.from(bytes);
      key[31]! ^= flip;
      assert.equal(isStrictIdentityKey(key), false, `${Buffer.from(key).toString('hex')}`);
      assert.equal(byDecoding(key), false);
      refused++;
    }
  }
  assert.equal(refused, 16);
});

test('non-canonical y (p <= y < 2^255) is refused', () => {
  for (const low of [0xed, 0xee, 0xf0, 0xff]) {
    const key = new Uint8Array(32).fill(0xff);
    key[0] = low;
    key[31] = 0x7f;
    assert.equal(isStrictIdentityKey(key), false);
    assert.equal(byDecoding(key), false);
  }
});

test('real keys are accepted, as by a full decoding', () => {
  for (let i = 0; i < 50; i++) {
    const key = ed25519.getPublicKey(ed25519.utils.randomSecretKey());
    assert.equal(isStrictIdentityKey(key), true);
    assert.equal(byDecoding(key), true);
  }
  assert.equal(isStrictIdentityKey(new Uint8Array(31)), false);
});
