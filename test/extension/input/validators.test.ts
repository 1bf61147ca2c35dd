import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ed25519 } from '@noble/curves/ed25519.js';
import { canonicalPublicKey, validateHostPort, validateName, validatePublicKey, validateSize, withDefaultPort } from '../../../extension/input/validators';

const key = Buffer.from(ed25519.getPublicKey(ed25519.utils.randomSecretKey()));

describe('input validators', () => {
  test('host:port: good forms pass, bad ones explain themselves', () => {
    for (const ok of ['192.168.1.20:7797', 'desk.local:1', '[fe80::1]:7797', ' 10.0.0.2:65535 ']) assert.equal(validateHostPort(ok), undefined, ok);
    assert.match(validateHostPort('')!, /Enter HOST:PORT/);
    assert.match(validateHostPort('10.0.0.2')!, /is not HOST:PORT/);
    assert.match(validateHostPort('10.0.0.2:0')!, /port .* must be from 1 to 65535/);
    assert.match(validateHostPort('10.0.0.2:99999')!, /is not HOST:PORT|must be from 1 to 65535/);
    assert.match(validateHostPort('fe80::1:7797')!, /is not HOST:PORT/);
  });

  test('a bare host gets the default port; anything else is left alone', () => {
    assert.equal(withDefaultPort('10.0.0.2'), '10.0.0.2:7797');
    assert.equal(withDefaultPort(' desk.local '), 'desk.local:7797');
    assert.equal(withDefaultPort('[fe80::1]'), '[fe80::1]:7797');
    assert.equal(withDefaultPort('10.0.0.2:8000'), '10.0.0.2:8000');
    assert.equal(withDefaultPort('fe80::1'), 'fe80::1', 'an unbracketed IPv6 address is not guessed at');
  });

  test('sizes: units and minimums', () => {
    assert.equal(validateSize('512mb'), undefined);
    assert.equal(validateSize('1.5 GiB'), undefined);
    assert.equal(validateSize('0'), undefined);
    assert.match(validateSize('-1gb')!, /cannot be negative/);
    assert.match(validateSize('lots')!, /invalid size "lots"/);
    assert.match(validateSize('512k', 1024 * 1024)!, /at least 1048576 bytes/);
  });

  test('public keys: base64url or hex; a bad key is explained; the canonical form is base64url', () => {
    const text = key.toString('base64url');
    assert.equal(validatePublicKey(text), undefined);
    assert.equal(validatePublicKey(key.toString('hex')), undefined);
    assert.equal(canonicalPublicKey(key.toString('hex').toUpperCase()), text);
    assert.equal(canonicalPublicKey(`  ${text}\n`), text);
    assert.match(validatePublicKey('abc')!, /Not a MemCloud public key/);
    assert.match(validatePublicKey('A'.repeat(43))!, /Not a MemCloud public key|not a usable curve point/);
    assert.equal(canonicalPublicKey('nope'), undefined);
  });

  test('device names', () => {
    assert.equal(validateName('desk'), undefined);
    assert.match(validateName('')!, /device name must not be empty/);
    assert.match(validateName(' desk')!, /must not begin or end with a space/);
    assert.match(validateName('x'.repeat(200))!, /at most 64 bytes/);
    assert.match(validateName('[Allow](command:x)')!, /bracket or parenthesis/);
    assert.equal(validateName('cafe\u0301'), undefined, 'typed text is brought to NFC first');
  });
});
