import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ed25519, ED25519_TORSION_SUBGROUP } from '@noble/curves/ed25519.js';
import {
  decodePublicKeyText, encodePublicKey, isValidPublicKey, parsePublicKey, publicKeysEqual,
} from '../../../engine/identity/public-key';
import { isMemCloudError } from '../../../engine/errors';

const RFC8032_HEX = 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a';
const RFC8032_TEXT = '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo';

function rejectsAsBadArgument(input: string): void {
  assert.throws(() => parsePublicKey(input), (err) => isMemCloudError(err, 'BAD_ARGUMENT') && /public key/.test(err.message), JSON.stringify(input));
}

/** First 32-byte encoding with the given low y that noble itself refuses to decode. */
function offCurveEncoding(): Uint8Array {
  for (let y = 2; y < 1000; y++) {
    const bytes = new Uint8Array(32);
    bytes[0] = y & 0xff;
    bytes[1] = y >> 8;
    try {
      ed25519.Point.fromBytes(bytes);
    } catch {
      return bytes;
    }
  }
  throw new Error('no off-curve encoding found');
}

describe('public key text form', () => {
  test('encodes as 43 base64url characters and parses back', () => {
    const key = Buffer.from(RFC8032_HEX, 'hex');
    assert.equal(encodePublicKey(key), RFC8032_TEXT);
    assert.equal(RFC8032_TEXT.length, 43);
    assert.deepEqual(Buffer.from(parsePublicKey(RFC8032_TEXT)), key);
    assert.deepEqual(Buffer.from(decodePublicKeyText(RFC8032_TEXT)!), key);
  });

  test('accepts 64 hex characters in either case, and surrounding whitespace', () => {
    const key = Buffer.from(RFC8032_HEX, 'hex');
    assert.deepEqual(Buffer.from(parsePublicKey(RFC8032_HEX)), key);
    assert.deepEqual(Buffer.from(parsePublicKey(RFC8032_HEX.toUpperCase())), key);
    assert.deepEqual(Buffer.from(parsePublicKey(`  ${RFC8032_TEXT}\n`)), key);
  });

  test('round-trips fresh keys', () => {
    for (let i = 0; i < 20; i++) {
      const key = ed25519.getPublicKey(ed25519.utils.randomSecretKey());
      assert.ok(isValidPublicKey(key));
      assert.deepEqual(parsePublicKey(encodePublicKey(key)), key);
    }
  });

  test('rejects malformed text with BAD_ARGUMENT', () => {
    const nonCanonicalTail = RFC8032_TEXT.slice(0, 42) + 'p'; // 'o' -> 'p' sets unused trailing bits
    for (const bad of [
      '', '   ', RFC8032_TEXT.slice(0, 42), RFC8032_TEXT + 'A', RFC8032_TEXT + '=',
      RFC8032_TEXT.replace('_', '/'), RFC8032_TEXT.replace('S', '+'), RFC8032_TEXT.replace('S', ' '),
      nonCanonicalTail, RFC8032_HEX.slice(1), RFC8032_HEX + '0', RFC8032_HEX.replace('d', 'g'),
      `0x${RFC8032_HEX.slice(2)}`, 'not a key at all',
    ]) {
      rejectsAsBadArgument(bad);
    }
  });

  test('rejects encodings that are not usable Ed25519 points', () => {
    const identityPoint = new Uint8Array(32);
    identityPoint[0] = 1; // y = 1: the neutral element, small order
    const yEqualsP = Buffer.from('edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', 'hex'); // non-canonical
    const torsion = ed25519.Point.fromHex(ED25519_TORSION_SUBGROUP[1]!);
    const mixedOrder = ed25519.Point.BASE.multiply(5n).add(torsion).toBytes(); // on the curve, outside the subgroup
    for (const bytes of [identityPoint, yEqualsP, offCurveEncoding(), torsion.toBytes(), mixedOrder]) {
      assert.equal(isValidPublicKey(bytes), false);
      assert.equal(decodePublicKeyText(Buffer.from(bytes).toString('base64url')), undefined);
      rejectsAsBadArgument(Buffer.from(bytes).toString('base64url'));
      rejectsAsBadArgument(Buffer.from(bytes).toString('hex'));
    }
  });

  test('decodePublicKeyText accepts only the canonical form', () => {
    assert.equal(decodePublicKeyText(RFC8032_HEX), undefined);
    assert.equal(decodePublicKeyText(` ${RFC8032_TEXT}`), undefined);
  });

  test('encodePublicKey refuses a wrong length', () => {
    assert.throws(() => encodePublicKey(new Uint8Array(31)), RangeError);
  });

  test('publicKeysEqual compares bytes and lengths', () => {
    const a = Buffer.from(RFC8032_HEX, 'hex');
    const b = Buffer.from(a);
    assert.equal(publicKeysEqual(a, b), true);
    b[31] ^= 1;
    assert.equal(publicKeysEqual(a, b), false);
    assert.equal(publicKeysEqual(a, a.subarray(0, 31)), false);
  });
});
