// The noble backend's ChaCha20-Poly1305 is composed in engine/crypto/aead/noble-chachapoly.ts from
// noble's ChaCha20 and Poly1305 (RFC 8439 section 2.8). Every byte is checked here against noble's
// own chacha20poly1305 and node:crypto, across every length up to a few blocks of both primitives,
// the padding boundaries of the associated data, memory shared between input and output, and the
// RFC's own example.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCipheriv, randomBytes } from 'node:crypto';
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { nobleChaChaPoly as core } from '../../../../engine/crypto/aead/noble-chachapoly';

const rand = (n: number): Uint8Array => new Uint8Array(randomBytes(n));
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function nodeSeal(key: Uint8Array, nonce: Uint8Array, ad: Uint8Array, plaintext: Uint8Array): string {
  const c = createCipheriv('chacha20-poly1305', key, nonce, { authTagLength: 16 });
  c.setAAD(ad, { plaintextLength: plaintext.length });
  return hex(Buffer.concat([c.update(plaintext), c.final(), c.getAuthTag()]));
}

test('every plaintext length 0..300 and associated-data length 0..40 seals to the bytes of noble and node:crypto, and opens back', () => {
  const key = rand(32);
  const nonce = rand(12);
  for (let n = 0; n <= 300; n++) {
    const ad = rand(n % 41);
    const plaintext = rand(n);
    const sealed = new Uint8Array(n + 16);
    core.sealInto(key, nonce, ad, plaintext, sealed);
    assert.equal(hex(sealed), hex(chacha20poly1305(key, nonce, ad).encrypt(plaintext)), `length ${n}`);
    assert.equal(hex(sealed), nodeSeal(key, nonce, ad, plaintext), `length ${n}`);
    const split = core.seal(key, nonce, ad, plaintext);
    assert.equal(hex(split.ciphertext) + hex(split.tag), hex(sealed));
    assert.equal(hex(core.open(key, nonce, ad, sealed)!), hex(plaintext));
  }
});

test('large and odd sizes, a record of the most Noise allows included, match noble', () => {
  const key = rand(32);
  const nonce = rand(12);
  for (const n of [1023, 1024, 1025, 1536, 4095, 4096, 4097, 4111, 32 * 1024, 65_519]) {
    const ad = rand(77);
    const plaintext = rand(n);
    const sealed = new Uint8Array(n + 16);
    core.sealInto(key, nonce, ad, plaintext, sealed);
    assert.equal(hex(sealed), hex(chacha20poly1305(key, nonce, ad).encrypt(plaintext)), `length ${n}`);
    const out = new Uint8Array(n);
    assert.equal(core.openInto(key, nonce, ad, sealed, out), true);
    assert.equal(hex(out), hex(plaintext));
  }
});

test('RFC 8439 section 2.8.2: the sunscreen example', () => {
  const key = Buffer.from('808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f', 'hex');
  const nonce = Buffer.from('070000004041424344454647', 'hex');
  const ad = Buffer.from('50515253c0c1c2c3c4c5c6c7', 'hex');
  const plaintext = Buffer.from("Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.", 'latin1');
  const sealed = new Uint8Array(plaintext.length + 16);
  core.sealInto(key, nonce, ad, plaintext, sealed);
  assert.equal(hex(sealed.subarray(0, 16)), 'd31a8d34648e60db7b86afbc53ef7ec2');
  assert.equal(hex(sealed.subarray(plaintext.length)), '1ae10b594f09e26a7e902ecbd0600691');
});

test('a flipped bit anywhere, another nonce or other associated data is refused, and the output is left untouched', () => {
  const key = rand(32);
  const nonce = rand(12);
  const ad = rand(13);
  const plaintext = rand(100);
  const sealed = core.seal(key, nonce, ad, plaintext);
  const record = new Uint8Array([...sealed.ciphertext, ...sealed.tag]);
  for (let i = 0; i < record.length * 8; i++) {
    const bad = record.slice();
    bad[i >> 3]! ^= 1 << (i & 7);
    const out = new Uint8Array(100).fill(0xaa);
    assert.equal(core.openInto(key, nonce, ad, bad, out), false, `bit ${i}`);
    assert.ok(out.every((b) => b === 0xaa));
  }
  assert.equal(core.open(key, rand(12), ad, record), null);
  assert.equal(core.open(key, nonce, rand(13), record), null);
  assert.equal(core.open(key, nonce, new Uint8Array(0), record), null);
});

test('input and output may share memory: in place, and shifted either way, small and large', () => {
  const key = rand(32);
  const nonce = rand(12);
  const ad = rand(5);
  for (const n of [1000, 9000]) {
    const plaintext = rand(n);
    const expected = hex(chacha20poly1305(key, nonce, ad).encrypt(plaintext));
    for (const [from, to] of [[0, 0], [0, 40], [40, 0], [3, 1], [1, 3]] as const) {
      const mem = new Uint8Array(n + 100);
      mem.set(plaintext, from);
      core.sealInto(key, nonce, ad, mem.subarray(from, from + n), mem.subarray(to, to + n + 16));
      assert.equal(hex(mem.subarray(to, to + n + 16)), expected, `${n}: seal ${from} -> ${to}`);
      assert.equal(core.openInto(key, nonce, ad, mem.subarray(to, to + n + 16), mem.subarray(from, from + n)), true);
      assert.equal(hex(mem.subarray(from, from + n)), hex(plaintext), `${n}: open ${to} -> ${from}`);
    }
  }
});

test('after a refused record of any size, the same record intact still opens (the shared scratch carries nothing over)', () => {
  const key = rand(32);
  const nonce = rand(12);
  for (const n of [10, 4096, 5000]) {
    const plaintext = rand(n);
    const record = core.seal(key, nonce, new Uint8Array(0), plaintext);
    const bad = new Uint8Array([...record.ciphertext, ...record.tag]);
    bad[bad.length - 1]! ^= 1;
    assert.equal(core.open(key, nonce, new Uint8Array(0), bad), null);
    const good = new Uint8Array([...record.ciphertext, ...record.tag]);
    assert.equal(hex(core.open(key, nonce, new Uint8Array(0), good)!), hex(plaintext));
  }
});
