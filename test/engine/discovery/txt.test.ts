import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { encodeTxt, parseTxt, sanitizeOwnName, sanitizeReceivedName } from '../../../engine/discovery/txt';
import { fakeIdentity, txtData } from './helpers';

describe('TXT parsing (untrusted input)', () => {
  const id = fakeIdentity();

  test('a complete record parses', () => {
    assert.deepEqual(parseTxt(txtData(id, { name: 'Anna’s laptop', offer: '4294967296', v: '3' })), {
      publicKey: id.publicKey,
      name: 'Anna’s laptop',
      fingerprint: id.fingerprint,
      protocolVersion: 3,
      offeredBytes: 4294967296,
    });
  });

  test('what we encode is what we parse', () => {
    const fields = { publicKey: id.publicKey, name: 'büro 🖥', fingerprint: id.fingerprint, protocolVersion: 1, offeredBytes: 0 };
    assert.deepEqual(parseTxt(encodeTxt(fields)), fields);
    assert.deepEqual(parseTxt(encodeTxt(fields).map((s) => Buffer.from(s))), fields);
  });

  test('keys are case-insensitive and the first occurrence wins', () => {
    const data = [Buffer.from('NAME=first'), ...txtData(id, { name: 'second' })];
    assert.equal(parseTxt(data)?.name, 'first');
  });

  test('boolean attributes and empty keys are ignored', () => {
    assert.equal(parseTxt([Buffer.from('flag'), Buffer.from('=x'), ...txtData(id)])?.name, 'laptop');
  });

  for (const key of ['v', 'pk', 'fp', 'name', 'offer']) {
    test(`a record without ${key} is refused`, () => {
      assert.equal(parseTxt(txtData(id).filter((b) => !b.toString().startsWith(`${key}=`))), undefined);
    });
  }

  const bad: Array<[string, Record<string, string>]> = [
    ['a short key', { pk: id.publicKey.slice(0, 42) }],
    ['a key with a bad character', { pk: `${id.publicKey.slice(0, 42)}*` }],
    ['a non-canonical key (trailing bits)', { pk: `${id.publicKey.slice(0, 42)}${id.publicKey.endsWith('B') ? 'C' : 'B'}` }],
    ['a hex key', { pk: 'ab'.repeat(32) }],
    ['a fingerprint of another key', { fp: fakeIdentity().fingerprint }],
    ['a malformed fingerprint', { fp: 'ILOU-0000-0000-0000' }],
    ['a NUL in the name', { name: 'lap\u0000top' }],
    ['an escape sequence in the name', { name: '\u001b[31mred' }],
    ['DEL in the name', { name: 'a\u007fb' }],
    ['a C1 control in the name', { name: 'a\u0085b' }],
    ['a bidi override in the name', { name: 'txt.\u202Eexe' }],
    ['a line separator in the name', { name: 'a\u2028b' }],
    ['a newline in the name', { name: 'a\nb' }],
    ['an empty name', { name: '' }],
    ['a blank name', { name: '   ' }],
    ['a 65-character name', { name: 'x'.repeat(65) }],
    ['version 0', { v: '0' }],
    ['version 65536', { v: '65536' }],
    ['a version in exponent form', { v: '1e3' }],
    ['a signed version', { v: '+1' }],
    ['a version with a leading zero', { v: '01' }],
    ['a version with a space', { v: ' 1' }],
    ['a negative offer', { offer: '-1' }],
    ['a fractional offer', { offer: '1.5' }],
    ['an empty offer', { offer: '' }],
    ['an offer beyond 2^53', { offer: '9007199254740993' }],
    ['a hex offer', { offer: '0x10' }],
  ];
  for (const [what, over] of bad) {
    test(`${what} is refused`, () => assert.equal(parseTxt(txtData(id, over)), undefined));
  }

  test('a name that is not UTF-8 is refused', () => {
    const data = txtData(id).filter((b) => !b.toString().startsWith('name='));
    data.push(Buffer.concat([Buffer.from('name='), Buffer.from([0xc3, 0x28])]));
    assert.equal(parseTxt(data), undefined);
  });

  test('malformed data shapes are refused without throwing', () => {
    for (const data of [undefined, null, 42, {}, [42], [{}], [null], [Buffer.from('pk=x'), 7]]) {
      assert.equal(parseTxt(data), undefined);
    }
  });

  test('only the first 32 entries are looked at', () => {
    const padding = Array.from({ length: 40 }, (_, i) => Buffer.from(`x${i}=y`));
    assert.equal(parseTxt([...padding, ...txtData(id)]), undefined);
    assert.ok(parseTxt([...padding.slice(0, 27), ...txtData(id)]));
  });

  test('received names are trimmed and normalised; emoji sequences are kept', () => {
    assert.equal(sanitizeReceivedName('  e\u0301 '), '\u00e9');
    assert.equal(sanitizeReceivedName('dev 👩‍💻'), 'dev 👩‍💻');
    assert.equal(sanitizeReceivedName('😀'.repeat(64)), '😀'.repeat(64));
  });

  test('our own name is cleaned, not refused, and fits a TXT string', () => {
    assert.equal(sanitizeOwnName('my\u0007 box\n'), 'my  box');
    assert.equal(sanitizeOwnName('\u0000\u202e '), undefined);
    assert.equal(sanitizeOwnName('x'.repeat(100)), 'x'.repeat(64));
    const wide = sanitizeOwnName('😀'.repeat(64))!;
    assert.equal(wide, '😀'.repeat(62)); // 62 × 4 bytes = 248 ≤ 250
    assert.ok(Buffer.byteLength(`name=${wide}`) <= 255);
  });
});
