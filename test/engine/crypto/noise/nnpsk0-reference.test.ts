// Noise_NNpsk0_25519_ChaChaPoly_SHA256 (spec §9, used by session resumption, docs/protocol.md
// section 13.2) checked against an independent initiator written here from the Noise spec with
// node:crypto (SHA-256, HMAC, ChaCha20-Poly1305) and noble's X25519: our responder on every backend
// must read its message 1, answer a message 2 it can read, and split to the same keys.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes } from 'node:crypto';
import { x25519 } from '@noble/curves/ed25519.js';
import { CRYPTO_BACKENDS } from '../../../../engine/crypto/backend-name';
import { loadBackend } from '../../../../engine/crypto/backends';
import { HandshakeState } from '../../../../engine/crypto/noise/handshake-state';

const sha = (...parts: Uint8Array[]) => parts.reduce((h, p) => h.update(p), createHash('sha256')).digest();
const hmac = (key: Uint8Array, ...parts: Uint8Array[]) => parts.reduce((h, p) => h.update(p), createHmac('sha256', key)).digest();
function hkdf(ck: Uint8Array, ikm: Uint8Array): [Buffer, Buffer, Buffer] {
  const t = hmac(ck, ikm);
  const o1 = hmac(t, Uint8Array.of(1));
  const o2 = hmac(t, o1, Uint8Array.of(2));
  return [o1, o2, hmac(t, o2, Uint8Array.of(3))];
}
const nonce = (n: number) => Buffer.concat([Buffer.alloc(4), Buffer.from(new BigUint64Array([BigInt(n)]).buffer)]);
function seal(k: Uint8Array, n: number, ad: Uint8Array, pt: Uint8Array): Buffer {
  const c = createCipheriv('chacha20-poly1305', k, nonce(n), { authTagLength: 16 });
  c.setAAD(ad, { plaintextLength: pt.length });
  return Buffer.concat([c.update(pt), c.final(), c.getAuthTag()]);
}
function open(k: Uint8Array, n: number, ad: Uint8Array, ct: Uint8Array): Buffer {
  const d = createDecipheriv('chacha20-poly1305', k, nonce(n), { authTagLength: 16 });
  d.setAAD(ad, { plaintextLength: ct.length - 16 });
  d.setAuthTag(ct.subarray(ct.length - 16));
  return Buffer.concat([d.update(ct.subarray(0, ct.length - 16)), d.final()]);
}

/** The spec's initiator, step by step: -> psk, e (payload); <- e, ee (payload); Split(). */
function referenceInitiator(prologue: Uint8Array, psk: Uint8Array, payload: Uint8Array) {
  const e = x25519.utils.randomSecretKey();
  const ePub = x25519.getPublicKey(e);
  let h = sha(Buffer.from('Noise_NNpsk0_25519_ChaChaPoly_SHA256')); // 36 bytes > HASHLEN: hashed
  let ck: Uint8Array = h;
  h = sha(h, prologue);
  let [ck1, th, k] = hkdf(ck, psk); // psk: MixKeyAndHash
  ck = ck1;
  h = sha(h, th);
  h = sha(h, ePub); // e: MixHash, and MixKey in a PSK handshake
  [ck1, k] = hkdf(ck, ePub);
  ck = ck1;
  const c1 = seal(k.subarray(0, 32), 0, h, payload);
  h = sha(h, c1);
  return {
    message1: Buffer.concat([ePub, c1]),
    readMessage2(m: Uint8Array) {
      const re = m.subarray(0, 32);
      h = sha(h, re);
      [ck1, k] = hkdf(ck, re);
      ck = ck1;
      [ck1, k] = hkdf(ck, x25519.getSharedSecret(e, re)); // ee
      ck = ck1;
      const body = m.subarray(32);
      const pt = open(k.subarray(0, 32), 0, h, body);
      h = sha(h, body);
      const [k1, k2] = hkdf(ck, new Uint8Array(0));
      return { payload: pt, h, send: k1.subarray(0, 32), receive: k2.subarray(0, 32) };
    },
  };
}

describe('NNpsk0 against an independent initiator', () => {
  for (const name of CRYPTO_BACKENDS) {
    test(`our ${name} responder: same payloads, handshake hash and transport keys`, async () => {
      const suite = (await loadBackend(name)).noise;
      const prologue = randomBytes(40);
      const psk = randomBytes(32);
      const ref = referenceInitiator(prologue, psk, Buffer.from('initiator payload'));
      const resp = new HandshakeState({ pattern: 'NNpsk0', initiator: false, prologue, ...suite, psk: Uint8Array.from(psk) });
      assert.equal(Buffer.from(resp.readMessage(ref.message1)).toString(), 'initiator payload');
      const got = ref.readMessage2(resp.writeMessage(Buffer.from('responder payload')));
      assert.equal(got.payload.toString(), 'responder payload');
      const split = resp.split();
      assert.deepEqual(Buffer.from(split.handshakeHash), got.h);
      assert.deepEqual(Buffer.from(split.receive.exportKey()), got.send);
      assert.deepEqual(Buffer.from(split.send.exportKey()), got.receive);
    });
  }

  test('a responder with another psk cannot read message 1', async () => {
    const suite = (await loadBackend('native')).noise;
    const prologue = randomBytes(16);
    const ref = referenceInitiator(prologue, randomBytes(32), Buffer.from('x'));
    const resp = new HandshakeState({ pattern: 'NNpsk0', initiator: false, prologue, ...suite, psk: new Uint8Array(randomBytes(32)) });
    assert.throws(() => resp.readMessage(ref.message1));
  });
});
