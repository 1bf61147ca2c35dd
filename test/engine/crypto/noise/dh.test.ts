// The 25519 DH functions of every backend: RFC 7748 section 6.1 vector, agreement across
// backends, and low-order point rejection.

import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CRYPTO_BACKENDS } from '../../../../engine/crypto/backend-name';
import { loadBackend } from '../../../../engine/crypto/backends';
import type { NoiseDH } from '../../../../engine/crypto/noise/dh';
import { isMemCloudError } from '../../../../engine/errors';
import { x25519KeyPair } from '../../../support/noise-kit';

const hex = (s: string) => Uint8Array.from(Buffer.from(s, 'hex'));
const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex');

// Curve25519 points of small order (and their non-canonical encodings), per RFC 7748 §7 lists.
const lowOrderPoints = [
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0100000000000000000000000000000000000000000000000000000000000000',
  'e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800',
  '5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
];

const suites: Array<{ name: string; dh: NoiseDH }> = [];
before(async () => {
  for (const name of CRYPTO_BACKENDS) suites.push({ name, dh: (await loadBackend(name)).noise.dh });
});

describe('x25519 on every backend', () => {
  test('each backend computes what every other computes, from keys any of them generated', () => {
    for (const a of suites) {
      for (const b of suites) {
        const alice = a.dh.generateKeyPair();
        const bob = b.dh.generateKeyPair();
        const ab = toHex(a.dh.dh(alice.secretKey, bob.publicKey));
        assert.equal(toHex(b.dh.dh(bob.secretKey, alice.publicKey)), ab, `${a.name} x ${b.name}`);
        for (const c of suites) assert.equal(toHex(c.dh.dh(alice.secretKey, bob.publicKey)), ab, `${c.name} on ${a.name}'s key`);
        assert.equal(toHex(x25519KeyPair(alice.secretKey).publicKey), toHex(alice.publicKey), `${a.name}'s public key derives from its secret`);
      }
    }
  });

  for (const name of CRYPTO_BACKENDS) describe(name, () => {
    const dh = (): NoiseDH => suites.find((s) => s.name === name)!.dh;

    test('RFC 7748 §6.1: public keys and shared secret', () => {
      const alice = x25519KeyPair(hex('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a'));
      const bob = x25519KeyPair(hex('5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb'));
      assert.equal(toHex(alice.publicKey), '8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a');
      assert.equal(toHex(bob.publicKey), 'de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f');
      const shared = '4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742';
      assert.equal(toHex(dh().dh(alice.secretKey, bob.publicKey)), shared);
      assert.equal(toHex(dh().dh(bob.secretKey, alice.publicKey)), shared);
    });

    test('generated key pairs agree and are distinct', () => {
      const a = dh().generateKeyPair();
      const b = dh().generateKeyPair();
      assert.notEqual(toHex(a.secretKey), toHex(b.secretKey));
      assert.equal(toHex(dh().dh(a.secretKey, b.publicKey)), toHex(dh().dh(b.secretKey, a.publicKey)));
      assert.equal(toHex(x25519KeyPair(a.secretKey).publicKey), toHex(a.publicKey));
    });

    test('low-order public keys are rejected with HANDSHAKE_FAILED', () => {
      const { secretKey } = dh().generateKeyPair();
      for (const point of lowOrderPoints) {
        assert.throws(() => dh().dh(secretKey, hex(point)), (e) => isMemCloudError(e, 'HANDSHAKE_FAILED'), point);
      }
    });

    test('wrong key lengths are rejected', () => {
      const { secretKey, publicKey } = dh().generateKeyPair();
      assert.throws(() => dh().dh(secretKey, publicKey.subarray(0, 31)), (e) => isMemCloudError(e, 'BAD_ARGUMENT'));
      assert.throws(() => dh().dh(new Uint8Array(33), publicKey), (e) => isMemCloudError(e, 'BAD_ARGUMENT'));
    });
  });
});
