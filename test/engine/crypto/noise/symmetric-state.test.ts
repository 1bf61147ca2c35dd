// SymmetricState (spec §5.2): initialization from the protocol name, MixHash/MixKey, failures
// that leave h alone, and Split zeroing the chaining key and the handshake cipher key.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { isMemCloudError } from '../../../../engine/errors';
import { nobleChaChaPoly } from '../../../support/noise-kit';
import { BLAKE2b, SHA256 } from '../../../../engine/crypto/noise/hash';
import { SymmetricState } from '../../../../engine/crypto/noise/symmetric-state';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const allZero = (b: Uint8Array) => b.every((x) => x === 0);

describe('SymmetricState', () => {
  test('a name of at most HASHLEN bytes is zero-padded; a longer one is hashed', () => {
    const short = 'Noise_XX_25519_ChaChaPoly_SHA256'; // exactly 32 bytes
    const padded = new SymmetricState(short, SHA256, nobleChaChaPoly);
    assert.equal(hex(padded.handshakeHash), Buffer.from(short).toString('hex'));
    const long = 'Noise_XX_25519_ChaChaPoly_SHA256_and_more';
    const hashed = new SymmetricState(long, SHA256, nobleChaChaPoly);
    assert.equal(hex(hashed.handshakeHash), createHash('sha256').update(long).digest('hex'));
    const wide = new SymmetricState(long, BLAKE2b, nobleChaChaPoly);
    assert.equal(hex(wide.handshakeHash), Buffer.concat([Buffer.from(long), Buffer.alloc(64 - long.length)]).toString('hex'));
  });

  test('before MixKey, EncryptAndHash sends plaintext and still hashes it', () => {
    const ss = new SymmetricState('Noise_NN_25519_ChaChaPoly_SHA256', SHA256, nobleChaChaPoly);
    const h0 = ss.handshakeHash;
    const data = randomBytes(9);
    assert.equal(hex(ss.encryptAndHash(data)), hex(data));
    assert.equal(hex(ss.handshakeHash), createHash('sha256').update(h0).update(data).digest('hex'));
    assert.equal(ss.hasKey(), false);
  });

  test('both sides agree after MixKey; a failed DecryptAndHash leaves h unchanged', () => {
    const a = new SymmetricState('Noise_NN_25519_ChaChaPoly_SHA256', SHA256, nobleChaChaPoly);
    const b = new SymmetricState('Noise_NN_25519_ChaChaPoly_SHA256', SHA256, nobleChaChaPoly);
    const ikm = randomBytes(32);
    a.mixKey(ikm);
    b.mixKey(ikm);
    assert.ok(a.hasKey());
    const sealed = a.encryptAndHash(randomBytes(5));
    const bad = sealed.slice();
    bad[0]! ^= 1;
    const before = hex(b.handshakeHash);
    assert.throws(() => b.decryptAndHash(bad), (e) => isMemCloudError(e, 'DECRYPT_FAILED'));
    assert.equal(hex(b.handshakeHash), before);
    b.decryptAndHash(sealed);
    assert.equal(hex(b.handshakeHash), hex(a.handshakeHash));
  });

  test('Split gives matching transport states and zeroes ck', () => {
    const a = new SymmetricState('Noise_NN_25519_ChaChaPoly_BLAKE2b', BLAKE2b, nobleChaChaPoly);
    const b = new SymmetricState('Noise_NN_25519_ChaChaPoly_BLAKE2b', BLAKE2b, nobleChaChaPoly);
    const ikm = randomBytes(32);
    a.mixKey(ikm);
    b.mixKey(ikm);
    const ck = a.chainingKey;
    assert.equal(ck.length, 64);
    assert.ok(!allZero(ck));
    const [a1, a2] = a.split();
    const [b1, b2] = b.split();
    assert.ok(allZero(ck), 'ck zeroed in place');
    assert.equal(hex(a1.exportKey()), hex(b1.exportKey()));
    assert.equal(hex(a2.exportKey()), hex(b2.exportKey()));
    assert.notEqual(hex(a1.exportKey()), hex(a2.exportKey()));
    assert.equal(a1.exportKey().length, 32, 'HASHLEN 64 keys truncated to 32');
    // The handshake cipher key is gone too: the inner CipherState is destroyed.
    assert.throws(() => a.encryptAndHash(randomBytes(1)), (e) => isMemCloudError(e, 'CHANNEL_CLOSED'));
  });
});
