import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ed25519 } from '@noble/curves/ed25519.js';
import {
  deviceNameProblem, isIsoTime, parseTrustFile, serializeTrustFile, type TrustedDevice,
} from '../../../engine/trust/trust-file';

const newKeyText = (): string => Buffer.from(ed25519.getPublicKey(ed25519.utils.randomSecretKey())).toString('base64url');

function device(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    publicKey: newKeyText(), name: 'laptop', firstSeen: '2025-01-01T00:00:00.000Z',
    lastSeen: '2025-01-02T00:00:00.000Z', approval: 'cli', status: 'trusted', ...overrides,
  };
}

const fileWith = (...devices: unknown[]): string => JSON.stringify({ version: 1, devices });

function problem(text: string): string {
  const result = parseTrustFile(text);
  assert.equal(typeof result, 'string', 'expected the file to be rejected');
  return result as string;
}

describe('parseTrustFile', () => {
  test('accepts a valid file and round-trips through serializeTrustFile', () => {
    const revoked = device({ status: 'revoked', revokedAt: '2025-01-03T00:00:00.000Z', allowedBytes: 1048576, approval: 'consent-always' });
    const devices = parseTrustFile(fileWith(device(), revoked)) as TrustedDevice[];
    assert.equal(devices.length, 2);
    assert.equal(devices[1]!.status, 'revoked');
    assert.equal(devices[1]!.allowedBytes, 1048576);
    assert.ok(Object.isFrozen(devices[0]));
    assert.deepEqual(parseTrustFile(serializeTrustFile(devices)), devices);
    assert.deepEqual(parseTrustFile('{"version":1,"devices":[]}'), []);
  });

  test('rejects the wrong top-level shape or version', () => {
    assert.match(problem('nope'), /not valid JSON/);
    assert.match(problem('[]'), /not a JSON object/);
    assert.match(problem('{"devices":[]}'), /version/);
    assert.match(problem('{"version":2,"devices":[]}'), /version 2 is not supported/);
    assert.match(problem('{"version":"1","devices":[]}'), /version/);
    assert.match(problem('{"version":1}'), /"devices" must be an array/);
    assert.match(problem('{"version":1,"devices":[],"x":1}'), /unexpected field "x"/);
  });

  test('rejects a device that is not an object', () => {
    assert.match(problem(fileWith(device(), 'laptop')), /^devices\[1\]: must be an object/);
  });

  test('rejects duplicate keys', () => {
    const d = device();
    assert.match(problem(fileWith(d, { ...d, name: 'other' })), /devices\[1\].*listed twice/);
  });

  const badDevices: Array<[string, Record<string, unknown>, RegExp]> = [
    ['short key', { publicKey: newKeyText().slice(1) }, /publicKey/],
    ['hex key', { publicKey: Buffer.from(newKeyText(), 'base64url').toString('hex') }, /publicKey/],
    ['small-order key', { publicKey: Buffer.from([1, ...new Array(31).fill(0)]).toString('base64url') }, /publicKey/],
    ['numeric key', { publicKey: 5 }, /publicKey/],
    ['empty name', { name: '' }, /name/],
    ['blank name', { name: '   ' }, /name/],
    ['long name', { name: 'x'.repeat(65) }, /name/],
    ['control char in name', { name: 'evil\u0007' }, /name/],
    ['newline in name', { name: 'a\nb' }, /name/],
    ['bidi override in name', { name: 'abc\u202Edef' }, /name/],
    ['numeric name', { name: 7 }, /name/],
    ['bad firstSeen', { firstSeen: 'yesterday' }, /firstSeen/],
    ['rolled-over date', { firstSeen: '2025-02-30T00:00:00.000Z' }, /firstSeen/],
    ['date without millis', { lastSeen: '2025-01-01T00:00:00Z' }, /lastSeen/],
    ['bad approval', { approval: 'magic' }, /approval/],
    ['bad status', { status: 'maybe' }, /status/],
    ['revoked without revokedAt', { status: 'revoked' }, /revokedAt/],
    ['trusted with revokedAt', { revokedAt: '2025-01-03T00:00:00.000Z' }, /revokedAt/],
    ['negative allowedBytes', { allowedBytes: -1 }, /allowedBytes/],
    ['fractional allowedBytes', { allowedBytes: 1.5 }, /allowedBytes/],
    ['string allowedBytes', { allowedBytes: '10' }, /allowedBytes/],
    ['unknown field', { color: 'red' }, /unexpected field "color"/],
  ];
  for (const [label, overrides, message] of badDevices) {
    test(`rejects a device with ${label}`, () => {
      const p = problem(fileWith(device(), device(overrides)));
      assert.match(p, /^devices\[1\]/);
      assert.match(p, message);
    });
  }
});

describe('field validators', () => {
  test('device names: the one rule of protocol.md 3.3.1 (1..64 bytes, printable, no brackets)', () => {
    for (const ok of ['a', 'Büro-PC', '笔记本电脑', 'x'.repeat(64), '🙂'.repeat(16), 'my laptop #2']) {
      assert.equal(deviceNameProblem(ok), undefined, ok);
    }
    for (const bad of ['', ' ', 'x'.repeat(65), '🙂'.repeat(17), 'tab\there', 'nul\u0000', 'del\u007f', '\u200b', 'a\u2028b', 'my laptop (2)', '[x](command:y)', undefined, null]) {
      assert.notEqual(deviceNameProblem(bad), undefined, JSON.stringify(bad));
    }
  });

  test('times: exactly the Date.toISOString form of a real date', () => {
    assert.equal(isIsoTime(new Date().toISOString()), true);
    assert.equal(isIsoTime('2024-02-29T23:59:59.999Z'), true);
    for (const bad of ['2023-02-29T00:00:00.000Z', '2025-01-01T24:00:00.000Z', '2025-01-01T00:00:00.000+01:00', '2025-01-01', 1700000000000]) {
      assert.equal(isIsoTime(bad), false, String(bad));
    }
  });
});
