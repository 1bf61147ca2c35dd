import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { x25519, ed25519 } from '@noble/curves/ed25519.js';
import { createAead } from '../../../../engine/crypto/aead';
import { nativeAsymAvailable } from '../../../../engine/crypto/asym/native-asym';
import { loadBackend } from '../../../../engine/crypto/backends';
import { InlineCrypto } from '../../../../engine/crypto/pool';
import type { AsymResult, CryptoBackendName } from '../../../../engine/crypto/pool/crypto-messages';
import { ErrorCodes, isMemCloudError } from '../../../../engine/errors';

const rand = (n: number): Uint8Array => new Uint8Array(randomBytes(n));
const BACKENDS: CryptoBackendName[] = ['noble', 'native', 'portable'];
const SIZES = [0, 1, 15, 16, 17, 1024, 65519];
const inline = new InlineCrypto();

function pick<K extends AsymResult['op']>(r: AsymResult | undefined, op: K): Extract<AsymResult, { op: K }> {
  assert.equal(r?.op, op);
  return r as Extract<AsymResult, { op: K }>;
}

before(async () => {
  await loadBackend('portable');
});

describe('InlineCrypto batches', () => {
  for (const backend of BACKENDS) {
    test(`${backend}: a sealed batch equals record-by-record seals at nonce + i`, async () => {
      const key = rand(32);
      const records = SIZES.map(rand);
      const nonce = 2 ** 32 - 3; // crosses the 32-bit boundary inside the batch
      const sealed = await inline.seal(backend, key, nonce, records);
      const aead = createAead(backend);
      assert.equal(sealed.length, records.length);
      sealed.forEach((s, i) => {
        const one = aead.seal(key, nonce + i, records[i]!);
        assert.deepEqual(s, new Uint8Array([...one.ciphertext, ...one.tag]), `record ${i}`);
        assert.equal(s.buffer, sealed[0]!.buffer, 'one packed buffer');
      });
      const opened = await inline.open(backend, key, nonce, sealed);
      assert.ok(opened.ok);
      assert.deepEqual(opened.plaintexts, records);
    });

    test(`${backend}: a tampered record reports its index, and nothing is returned`, async () => {
      const key = rand(32);
      const sealed = await inline.seal(backend, key, 100, [rand(10), rand(2000), rand(30)]);
      const copy = sealed.map((s) => s.slice());
      copy[1]![1500]! ^= 4;
      assert.deepEqual(await inline.open(backend, key, 100, copy), { ok: false, failedAt: 1 });
      // wrong starting nonce fails at the first record
      assert.deepEqual(await inline.open(backend, key, 101, sealed), { ok: false, failedAt: 0 });
      // a record too short to hold a tag is an authentication failure, not a crash
      assert.deepEqual(await inline.open(backend, key, 100, [sealed[0]!, new Uint8Array(5)]), { ok: false, failedAt: 1 });
    });
  }

  test('caller buffers are left untouched', async () => {
    const key = rand(32);
    const keyCopy = key.slice();
    const records = [rand(100), rand(0)];
    const copies = records.map((r) => r.slice());
    const sealed = await inline.seal('noble', key, 0, records);
    const sealedCopies = sealed.map((s) => s.slice());
    await inline.open('native', key, 0, sealed);
    assert.deepEqual(key, keyCopy);
    assert.deepEqual(records, copies);
    assert.deepEqual(sealed, sealedCopies);
  });

  test('bad inputs are rejected with BAD_ARGUMENT', async () => {
    const isBad = (err: unknown): boolean => isMemCloudError(err, ErrorCodes.BAD_ARGUMENT);
    await assert.rejects(inline.seal('noble', rand(31), 0, []), isBad);
    await assert.rejects(inline.seal('noble', rand(32), 0, [new Uint8Array(65520)]), isBad);
    await assert.rejects(inline.open('native', rand(32), -5, []), isBad);
    await assert.rejects(inline.asym('noble', [{ op: 'nope' } as never]), isBad);
  });
});

const hex = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, 'hex'));

describe('InlineCrypto asymmetric ops', () => {
  test('native X25519/Ed25519 pass their self-check on this Node', () => {
    assert.equal(nativeAsymAvailable(), true);
  });

  for (const backend of BACKENDS) {
    test(`${backend}: known answers from RFC 7748 §6.1 and RFC 8032 §7.1`, async () => {
      const alice = hex('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a');
      const bob = hex('5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb');
      const alicePub = hex('8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a');
      const bobPub = hex('de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f');
      const shared = hex('4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742');
      const seed = hex('4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb');
      const publicKey = hex('3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c');
      const message = hex('72');
      const signature = hex(
        '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00',
      );
      const results = await inline.asym(backend, [
        { op: 'x25519-dh', secretKey: alice, publicKey: bobPub },
        { op: 'x25519-dh', secretKey: bob, publicKey: alicePub },
        { op: 'ed25519-sign', secretKey: seed, message },
        { op: 'ed25519-verify', publicKey, message, signature },
      ]);
      assert.deepEqual(results, [
        { op: 'x25519-dh', sharedSecret: shared },
        { op: 'x25519-dh', sharedSecret: shared },
        { op: 'ed25519-sign', signature },
        { op: 'ed25519-verify', valid: true },
      ]);
    });
  }

  test('noble and native agree on X25519 DH and deterministic Ed25519 signatures', async () => {
    const a = x25519.keygen();
    const b = x25519.keygen();
    const seed = rand(32);
    const message = rand(77);
    const ops = [
      { op: 'x25519-dh', secretKey: a.secretKey, publicKey: b.publicKey },
      { op: 'x25519-dh', secretKey: b.secretKey, publicKey: a.publicKey },
      { op: 'ed25519-sign', secretKey: seed, message },
    ] as const;
    const [n, m] = [await inline.asym('noble', ops), await inline.asym('native', ops)];
    assert.deepEqual(n, m);
    const ab = pick(n[0], 'x25519-dh').sharedSecret;
    assert.deepEqual(ab, pick(n[1], 'x25519-dh').sharedSecret);
    assert.deepEqual(ab, x25519.getSharedSecret(a.secretKey, b.publicKey));
    assert.deepEqual(pick(m[2], 'ed25519-sign').signature, ed25519.sign(message, seed));
  });

  for (const backend of BACKENDS) {
    test(`${backend}: key pairs are valid and verification rejects what it should`, async () => {
      const seed = rand(32);
      const publicKey = ed25519.getPublicKey(seed);
      const message = rand(40);
      const [kp, sig] = await inline.asym(backend, [
        { op: 'x25519-keypair' },
        { op: 'ed25519-sign', secretKey: seed, message },
      ]);
      const pair = pick(kp, 'x25519-keypair');
      assert.deepEqual(pair.publicKey, x25519.getPublicKey(pair.secretKey));
      const signature = pick(sig, 'ed25519-sign').signature;
      const badSig = signature.slice();
      badSig[10]! ^= 1;
      const otherKey = ed25519.getPublicKey(rand(32));
      const verdicts = await inline.asym(backend, [
        { op: 'ed25519-verify', publicKey, message, signature },
        { op: 'ed25519-verify', publicKey, message, signature: badSig },
        { op: 'ed25519-verify', publicKey, message: message.subarray(1), signature },
        { op: 'ed25519-verify', publicKey: otherKey, message, signature },
        { op: 'ed25519-verify', publicKey: new Uint8Array(32).fill(0xff), message, signature },
      ]);
      assert.deepEqual(verdicts.map((v) => pick(v, 'ed25519-verify').valid), [true, false, false, false, false]);
    });

    test(`${backend}: DH with a low-order point fails with HANDSHAKE_FAILED`, async () => {
      await assert.rejects(
        inline.asym(backend, [{ op: 'x25519-dh', secretKey: rand(32), publicKey: new Uint8Array(32) }]),
        (err: unknown) => isMemCloudError(err, ErrorCodes.HANDSHAKE_FAILED),
      );
    });
  }

  test('callers keep their secret keys (inline never zeroes caller memory)', async () => {
    const seed = rand(32);
    const copy = seed.slice();
    await inline.asym('native', [{ op: 'ed25519-sign', secretKey: seed, message: rand(3) }]);
    assert.deepEqual(seed, copy);
  });
});
