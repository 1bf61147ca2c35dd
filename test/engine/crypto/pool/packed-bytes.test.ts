import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { buffersOf, carve, packCopies } from '../../../../engine/crypto/pool/packed-bytes';
import { PublicKeyCache } from '../../../../engine/crypto/asym/public-key-cache';
import { generateKeyPairSync } from 'node:crypto';

describe('packed bytes', () => {
  test('carve gives aligned, non-overlapping, zeroed slots of one buffer', () => {
    const lengths = [0, 1, 17, 16, 33, 0, 5];
    const slots = carve(lengths);
    assert.deepEqual(slots.map((s) => s.length), lengths);
    assert.equal(buffersOf(slots).length, 1);
    let end = 0;
    for (const s of slots) {
      assert.equal(s.byteOffset % 16, 0);
      assert.ok(s.byteOffset >= end);
      end = s.byteOffset + s.length;
      assert.ok(s.every((b) => b === 0));
    }
    assert.deepEqual(carve([]), []);
  });

  test('packCopies copies, leaving the originals independent', () => {
    const a = new Uint8Array([1, 2, 3]);
    const b = new Uint8Array(40).fill(9);
    const [ca, cb] = packCopies([a, b]);
    assert.deepEqual(ca, a);
    assert.deepEqual(cb, b);
    assert.equal(ca!.buffer, cb!.buffer);
    ca![0] = 7;
    assert.equal(a[0], 1);
  });
});

describe('PublicKeyCache', () => {
  const raw = (): Uint8Array => {
    const x = generateKeyPairSync('x25519').publicKey.export({ format: 'jwk' }).x!;
    return new Uint8Array(Buffer.from(x, 'base64url'));
  };

  test('returns the same KeyObject for the same key and curve, and stays bounded', () => {
    const cache = new PublicKeyCache(3);
    const k1 = raw();
    const first = cache.get('X25519', k1);
    assert.equal(first.asymmetricKeyType, 'x25519');
    assert.equal(cache.get('X25519', k1.slice()), first);
    assert.notEqual(cache.get('Ed25519', k1), first);
    cache.get('X25519', raw());
    cache.get('X25519', raw());
    assert.equal(cache.size, 3);
  });

  test('evicts the least recently used entry', () => {
    const cache = new PublicKeyCache(2);
    const [a, b, c] = [raw(), raw(), raw()];
    const ka = cache.get('X25519', a);
    const kb = cache.get('X25519', b);
    assert.equal(cache.get('X25519', a), ka); // a is now the most recent
    cache.get('X25519', c); // evicts b
    assert.equal(cache.get('X25519', a), ka);
    assert.notEqual(cache.get('X25519', b), kb);
  });
});
