// The AEAD seam on all three backends: byte-for-byte agreement of every pair and with an
// independent reference, failures, bad arguments, caller memory, REKEY.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { createAead, nativeAeadAvailable, type AeadBackend } from '../../../../engine/crypto/aead';
import { chooseBackend, loadBackend } from '../../../../engine/crypto/backends';
import { isMemCloudError, ErrorCodes } from '../../../../engine/errors';

const SIZES = [0, 1, 15, 16, 17, 63, 64, 65, 1024, 4099, 65519];
const NONCES = [0, 1, 255, 256, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 5, 2 ** 40 + 12345, 2 ** 53 - 1];

const rand = (n: number): Uint8Array => new Uint8Array(randomBytes(n));
const joined = (s: { ciphertext: Uint8Array; tag: Uint8Array }): Uint8Array => {
  const out = new Uint8Array(s.ciphertext.length + s.tag.length);
  out.set(s.ciphertext);
  out.set(s.tag, s.ciphertext.length);
  return out;
};
/** Independent reference for the nonce: 4 zero bytes, then the counter as u64 little-endian. */
const nonceBytes = (n: bigint): Uint8Array => {
  const b = new Uint8Array(12);
  new DataView(b.buffer).setBigUint64(4, n, true);
  return b;
};
const isDecryptFailed = (err: unknown): boolean => isMemCloudError(err, ErrorCodes.DECRYPT_FAILED);
const isBadArgument = (err: unknown): boolean => isMemCloudError(err, ErrorCodes.BAD_ARGUMENT);

describe('AEAD backends', () => {
  const noble = createAead('noble');
  const native = createAead('native');
  let portable: AeadBackend;
  let both: AeadBackend[] = [];
  before(async () => {
    portable = (await loadBackend('portable')).aead;
    both = [native, portable, noble];
  });
  const pairs = (): Array<[AeadBackend, AeadBackend]> => both.flatMap((a) => both.filter((b) => b !== a).map((b): [AeadBackend, AeadBackend] => [a, b]));

  test('native is present on this Node, and auto picks it', async () => {
    assert.equal(nativeAeadAvailable(), true);
    assert.equal((await chooseBackend('auto')).name, 'native');
    assert.deepEqual(both.map((a) => a.name), ['native', 'portable', 'noble']);
  });

  test('every backend gives identical bytes, with and without associated data, matching a reference nonce encoding', () => {
    for (const size of SIZES) {
      for (const nonce of NONCES) {
        const key = rand(32);
        const plaintext = rand(size);
        const ad = rand(size % 65);
        const reference = chacha20poly1305(key, nonceBytes(BigInt(nonce))).encrypt(plaintext);
        const referenceAd = chacha20poly1305(key, nonceBytes(BigInt(nonce)), ad).encrypt(plaintext);
        for (const aead of both) {
          const a = aead.seal(key, nonce, plaintext);
          assert.equal(a.ciphertext.length, size);
          assert.equal(a.tag.length, 16);
          assert.deepEqual(joined(a), reference, `${aead.name} size=${size} nonce=${nonce}`);
          assert.deepEqual(joined(aead.seal(key, nonce, plaintext, ad)), referenceAd, `${aead.name} with AD size=${size}`);
        }
      }
    }
  });

  test('each backend opens what every other sealed, and refuses it under other associated data', () => {
    for (const [a, b] of pairs()) {
      for (const size of SIZES) {
        const key = rand(32);
        const nonce = Math.floor(Math.random() * Number.MAX_SAFE_INTEGER);
        const plaintext = rand(size);
        const ad = rand(32);
        assert.deepEqual(b.open(key, nonce, joined(a.seal(key, nonce, plaintext))), plaintext, `${a.name} -> ${b.name}`);
        const withAd = joined(a.seal(key, nonce, plaintext, ad));
        assert.deepEqual(b.open(key, nonce, withAd, ad), plaintext);
        assert.throws(() => b.open(key, nonce, withAd), isDecryptFailed);
      }
    }
  });

  test('results are plain Uint8Arrays; noble hands out views of one buffer', () => {
    for (const aead of both) {
      const s = aead.seal(rand(32), 7, rand(100));
      assert.equal(Object.getPrototypeOf(s.ciphertext), Uint8Array.prototype);
      assert.equal(Object.getPrototypeOf(s.tag), Uint8Array.prototype);
      const opened = aead.open(new Uint8Array(32), 0, joined(aead.seal(new Uint8Array(32), 0, rand(5))));
      assert.equal(Object.getPrototypeOf(opened), Uint8Array.prototype);
    }
    const s = noble.seal(rand(32), 7, rand(100));
    assert.equal(s.ciphertext.buffer, s.tag.buffer);
    assert.equal(s.tag.byteOffset, s.ciphertext.byteOffset + 100);
  });

  test('tampered, truncated, misnonced or wrongly keyed records fail on every backend', () => {
    const key = rand(32);
    const plaintext = rand(200);
    const record = joined(noble.seal(key, 42, plaintext));
    for (const aead of both) {
      for (const at of [0, 100, 199, 200, 215]) {
        const bad = record.slice();
        bad[at]! ^= 0x01;
        assert.throws(() => aead.open(key, 42, bad), isDecryptFailed, `${aead.name} flip at ${at}`);
      }
      assert.throws(() => aead.open(key, 43, record), isDecryptFailed);
      assert.throws(() => aead.open(rand(32), 42, record), isDecryptFailed);
      assert.throws(() => aead.open(key, 42, record.subarray(0, 215)), isDecryptFailed);
      assert.throws(() => aead.open(key, 42, new Uint8Array(15)), isDecryptFailed);
      assert.throws(() => aead.open(key, 42, new Uint8Array(65536)), isDecryptFailed);
      // the untouched record still opens
      assert.deepEqual(aead.open(key, 42, record), plaintext);
    }
  });

  test('every byte flip of a small record is rejected by every backend', () => {
    const key = rand(32);
    const record = joined(native.seal(key, 3, rand(20)));
    for (let i = 0; i < record.length; i++) {
      const bad = record.slice();
      bad[i]! ^= 0x80;
      for (const aead of both) assert.throws(() => aead.open(key, 3, bad), isDecryptFailed);
    }
  });

  test('bad arguments are rejected before any crypto', () => {
    for (const aead of both) {
      assert.throws(() => aead.seal(rand(31), 0, rand(1)), isBadArgument);
      assert.throws(() => aead.seal(rand(32), -1, rand(1)), isBadArgument);
      assert.throws(() => aead.seal(rand(32), 1.5, rand(1)), isBadArgument);
      assert.throws(() => aead.seal(rand(32), 2 ** 53, rand(1)), isBadArgument);
      assert.throws(() => aead.seal(rand(32), 0, new Uint8Array(65520)), isBadArgument);
      assert.throws(() => aead.open(rand(33), 0, rand(32)), isBadArgument);
      assert.throws(() => aead.sealInto(rand(32), 0, rand(10), new Uint8Array(25)), isBadArgument);
      assert.throws(() => aead.seal(rand(32), 0, rand(1), new Uint8Array(257)), isBadArgument);
    }
    assert.throws(() => createAead('bogus' as never), isBadArgument);
  });

  test('sealInto/openInto write into caller memory, aligned or not, and match seal', () => {
    for (const aead of both) {
      for (const offset of [0, 1, 3, 4]) {
        const key = rand(32);
        const plaintext = rand(1000);
        const backing = new Uint8Array(offset + 1016 + 8);
        const out = backing.subarray(offset, offset + 1016);
        aead.sealInto(key, 9, plaintext, out);
        assert.deepEqual(out, joined(aead.seal(key, 9, plaintext)));
        assert.deepEqual(backing.subarray(offset + 1016), new Uint8Array(8), 'no write past the slot');
        const opened = new Uint8Array(offset + 1000).subarray(offset);
        aead.openInto(key, 9, out, opened);
        assert.deepEqual(opened, plaintext);
      }
    }
  });

  test('openInto leaves the output untouched when authentication fails', () => {
    for (const aead of both) {
      const key = rand(32);
      const record = joined(aead.seal(key, 1, rand(64)));
      record[70]! ^= 1;
      const out = new Uint8Array(64).fill(0xaa);
      assert.throws(() => aead.openInto(key, 1, record, out), isDecryptFailed);
      assert.deepEqual(out, new Uint8Array(64).fill(0xaa));
    }
  });

  test('callers keep their key and plaintext untouched', () => {
    for (const aead of both) {
      const key = rand(32);
      const keyCopy = key.slice();
      const plaintext = rand(300);
      const ptCopy = plaintext.slice();
      aead.seal(key, 5, plaintext);
      assert.deepEqual(key, keyCopy);
      assert.deepEqual(plaintext, ptCopy);
    }
  });

  test('rekey follows Noise REKEY and every backend agrees', () => {
    for (let i = 0; i < 20; i++) {
      const key = rand(32);
      const keyCopy = key.slice();
      const a = noble.rekey(key);
      assert.equal(a.length, 32);
      for (const aead of both) assert.deepEqual(aead.rekey(key), a, aead.name);
      assert.deepEqual(key, keyCopy);
      assert.notDeepEqual(a, key);
      const reserved = nonceBytes(2n ** 64n - 1n);
      assert.deepEqual(reserved, new Uint8Array([0, 0, 0, 0, 255, 255, 255, 255, 255, 255, 255, 255]));
      const reference = chacha20poly1305(key, reserved).encrypt(new Uint8Array(32)).subarray(0, 32);
      assert.deepEqual(a, reference);
      // the new key really works for transport
      assert.deepEqual(native.open(a, 0, joined(noble.seal(a, 0, rand(10).fill(1)))), new Uint8Array(10).fill(1));
    }
  });
});
