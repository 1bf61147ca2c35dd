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

  // A TXT name is a hint: one that breaks the device-name rule is sanitized, never shown as sent.
  const sanitized: Array<[string, string, string]> = [
    ['a NUL', 'lap\u0000top', 'lap top'],
    ['an escape sequence', '\u001b[31mred', '31mred'],
    ['DEL', 'a\u007fb', 'a b'],
    ['a C1 control', 'a\u0085b', 'a b'],
    ['a bidi override', 'txt.\u202Eexe', 'txt.exe'],
    ['a zero-width space', 'de\u200bsk', 'desk'],
    ['a line separator', 'a\u2028b', 'a b'],
    ['a newline', 'a\nb', 'a b'],
    ['a command link', '[Allow Once](command:memcloud.offload?"/etc")', 'Allow Once command:memcloud.offload?"/etc"'],
    ['angle brackets', '<img src=x>', 'img src=x'],
    ['a 65-byte name', 'x'.repeat(65), 'x'.repeat(64)],
  ];
  for (const [what, raw, shown] of sanitized) {
    test(`a name with ${what} is sanitized`, () => assert.equal(parseTxt(txtData(id, { name: raw }))?.name, shown));
  }

  test('a name with nothing usable left gets the name generated from the fingerprint', () => {
    const generated = `device-${id.fingerprint.slice(0, 4).toLowerCase()}`;
    for (const raw of ['', '   ', '\u202e\u200b', '()[]', '7K3Q-MX2A-P9RT-4WZC']) {
      assert.equal(parseTxt(txtData(id, { name: raw }))?.name, generated, JSON.stringify(raw));
    }
  });

  test('received names are trimmed and normalised; a joined emoji loses its joiner', () => {
    assert.equal(sanitizeReceivedName('  e\u0301 ', id.fingerprint), '\u00e9');
    assert.equal(sanitizeReceivedName('dev 👩‍💻', id.fingerprint), 'dev 👩💻');
    assert.equal(sanitizeReceivedName('😀'.repeat(64), id.fingerprint), '😀'.repeat(16));
  });

  test('our own name is cleaned, not refused, and fits the 64-byte rule', () => {
    assert.equal(sanitizeOwnName('my\u0007 box\n'), 'my box');
    assert.equal(sanitizeOwnName('\u0000\u202e '), undefined);
    assert.equal(sanitizeOwnName('x'.repeat(100)), 'x'.repeat(64));
    assert.equal(sanitizeOwnName('😀'.repeat(64)), '😀'.repeat(16)); // 16 × 4 bytes = 64
    assert.equal(sanitizeOwnName('ab\u0301\u0301\u0301\u0301\u0301\u0301'), 'ab\u0301\u0301\u0301\u0301'.normalize('NFC'));
  });
});
