// CipherState (spec §5.1): nonce discipline, pass-through without a key, rekey, export, destroy.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { isMemCloudError } from '../../../../engine/errors';
import { nobleChaChaPoly } from '../../../support/noise-kit';
import { CipherState } from '../../../../engine/crypto/noise/cipher-state';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const empty = new Uint8Array(0);

function pair(): [CipherState, CipherState] {
  const key = randomBytes(32);
  return [new CipherState(nobleChaChaPoly, key), new CipherState(nobleChaChaPoly, key)];
}

describe('CipherState', () => {
  test('without a key, data passes through as a copy and the nonce stays 0', () => {
    const cs = new CipherState(nobleChaChaPoly);
    assert.equal(cs.hasKey(), false);
    const data = randomBytes(10);
    const out = cs.encryptWithAd(empty, data);
    assert.equal(hex(out), hex(data));
    assert.notEqual(out.buffer, data.buffer);
    assert.equal(hex(cs.decryptWithAd(empty, data)), hex(data));
    assert.equal(cs.nonce, 0);
    assert.throws(() => cs.exportKey(), (e) => isMemCloudError(e, 'BAD_ARGUMENT'));
    assert.throws(() => cs.rekey(), (e) => isMemCloudError(e, 'BAD_ARGUMENT'));
  });

  test('each message uses the next nonce; both sides stay in step', () => {
    const [a, b] = pair();
    for (let i = 0; i < 5; i++) {
      const ad = randomBytes(4);
      const msg = randomBytes(i * 7);
      const sealed = a.encryptWithAd(ad, msg);
      assert.equal(sealed.length, msg.length + 16);
      assert.equal(nobleChaChaPoly.decrypt(a.exportKey(), i, ad, sealed).length, msg.length, `sealed under nonce ${i}`);
      assert.equal(hex(b.decryptWithAd(ad, sealed)), hex(msg));
    }
    assert.equal(a.nonce, 5);
    assert.equal(b.nonce, 5);
  });

  test('a failed decrypt throws DECRYPT_FAILED and leaves the nonce unchanged', () => {
    const [a, b] = pair();
    const sealed = a.encryptWithAd(empty, randomBytes(12));
    const bad = sealed.slice();
    bad[3]! ^= 0x40;
    assert.throws(() => b.decryptWithAd(empty, bad), (e) => isMemCloudError(e, 'DECRYPT_FAILED'));
    assert.equal(b.nonce, 0);
    assert.equal(b.decryptWithAd(empty, sealed).length, 12);
    assert.equal(b.nonce, 1);
  });

  test('initializeKey copies the key and resets the nonce', () => {
    const key = randomBytes(32);
    const cs = new CipherState(nobleChaChaPoly);
    cs.initializeKey(key);
    const original = hex(key);
    key.fill(0);
    assert.equal(hex(cs.exportKey()), original);
    cs.encryptWithAd(empty, empty);
    cs.initializeKey(randomBytes(32));
    assert.equal(cs.nonce, 0);
    cs.initializeKey(null);
    assert.equal(cs.hasKey(), false);
    assert.throws(() => cs.initializeKey(new Uint8Array(16)), (e) => isMemCloudError(e, 'BAD_ARGUMENT'));
  });

  test('rekey changes the key, keeps the nonce, and both sides stay in sync', () => {
    const [a, b] = pair();
    b.decryptWithAd(empty, a.encryptWithAd(empty, randomBytes(3)));
    const before = hex(a.exportKey());
    a.rekey();
    b.rekey();
    assert.notEqual(hex(a.exportKey()), before);
    assert.equal(hex(a.exportKey()), hex(b.exportKey()));
    assert.equal(a.nonce, 1);
    const msg = randomBytes(40);
    assert.equal(hex(b.decryptWithAd(empty, a.encryptWithAd(empty, msg))), hex(msg));
    // A side that did not rekey can no longer read.
    const [c, d] = pair();
    c.rekey();
    assert.throws(() => d.decryptWithAd(empty, c.encryptWithAd(empty, msg)), (e) => isMemCloudError(e, 'DECRYPT_FAILED'));
  });

  test('exportKey returns a copy', () => {
    const [a] = pair();
    const k = a.exportKey();
    const original = hex(k);
    k.fill(0);
    assert.equal(hex(a.exportKey()), original);
  });

  test('setNonce: validated; the last safe integer is never used', () => {
    const [a, b] = pair();
    a.setNonce(1000);
    b.setNonce(1000);
    assert.equal(b.decryptWithAd(empty, a.encryptWithAd(empty, randomBytes(2))).length, 2);
    assert.equal(a.nonce, 1001);
    for (const bad of [-1, 0.5, Number.MAX_SAFE_INTEGER, 2 ** 64]) {
      assert.throws(() => a.setNonce(bad), (e) => isMemCloudError(e, 'BAD_ARGUMENT'), String(bad));
    }
    a.setNonce(Number.MAX_SAFE_INTEGER - 1);
    a.encryptWithAd(empty, empty);
    assert.throws(() => a.encryptWithAd(empty, empty), (e) => isMemCloudError(e, 'CHANNEL_CLOSED'));
    assert.equal(a.nonce, Number.MAX_SAFE_INTEGER);
  });

  test('destroy: every later use throws (a destroyed state must not pass plaintext through)', () => {
    const [a] = pair();
    a.destroy();
    a.destroy();
    const uses: [string, () => unknown][] = [
      ['encrypt', () => a.encryptWithAd(empty, randomBytes(4))],
      ['decrypt', () => a.decryptWithAd(empty, randomBytes(20))],
      ['hasKey', () => a.hasKey()],
      ['exportKey', () => a.exportKey()],
      ['rekey', () => a.rekey()],
      ['initializeKey', () => a.initializeKey(randomBytes(32))],
    ];
    for (const [what, use] of uses) {
      assert.throws(use, (e) => isMemCloudError(e, 'CHANNEL_CLOSED'), what);
    }
  });
});
