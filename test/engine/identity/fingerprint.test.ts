import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { fingerprint, isFingerprint, shortFingerprint } from '../../../engine/identity/fingerprint';

// RFC 8032 §7.1 test 1 public key.
const RFC8032_PUBLIC = Buffer.from('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a', 'hex');

/** The same construction written independently: node:crypto SHA-256, BigInt base32. */
function referenceFingerprint(publicKey: Uint8Array): string {
  const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  let n = BigInt('0x' + createHash('sha256').update(publicKey).digest('hex').slice(0, 20));
  let digits = '';
  for (let i = 0; i < 16; i++) {
    digits = alphabet[Number(n % 32n)] + digits;
    n /= 32n;
  }
  return digits.match(/.{4}/g)!.join('-');
}

describe('fingerprint', () => {
  test('a fixed key has a fixed fingerprint', () => {
    assert.equal(referenceFingerprint(RFC8032_PUBLIC), '47Z3-3QX1-AJH6-2RKB');
    assert.equal(fingerprint(RFC8032_PUBLIC), '47Z3-3QX1-AJH6-2RKB');
    assert.equal(shortFingerprint(RFC8032_PUBLIC), '47Z3-3QX1');
  });

  test('matches the independent computation for many keys, in the documented format', () => {
    for (let i = 0; i < 200; i++) {
      const key = createHash('sha256').update(`key ${i}`).digest();
      const fp = fingerprint(key);
      assert.equal(fp, referenceFingerprint(key));
      assert.match(fp, /^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
      assert.ok(isFingerprint(fp));
      assert.equal(shortFingerprint(key), fp.slice(0, 9));
    }
  });

  test('never uses the ambiguous letters I, L, O, U', () => {
    let all = '';
    for (let i = 0; i < 500; i++) all += fingerprint(createHash('sha256').update(String(i)).digest());
    assert.doesNotMatch(all, /[ILOU]/);
  });

  test('a one-bit change in the key changes the fingerprint', () => {
    const other = Buffer.from(RFC8032_PUBLIC);
    other[0] ^= 1;
    assert.notEqual(fingerprint(other), fingerprint(RFC8032_PUBLIC));
  });

  test('isFingerprint rejects other shapes', () => {
    for (const bad of ['47Z3-3QX1-AJH6', '47z3-3qx1-ajh6-2rkb', '47Z3-3QX1-AJH6-2RKI', '47Z33QX1AJH62RKB', ' 47Z3-3QX1-AJH6-2RKB']) {
      assert.equal(isFingerprint(bad), false, bad);
    }
  });
});
