import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ConsentRequestInfo } from '../../../engine/api/types';
import { CONSENT_BUTTONS, answerFor, consentMessage, impostorWarning, lateAnswerMessage } from '../../../extension/consent/consent-text';

const req = (over: Partial<ConsentRequestInfo> = {}): ConsentRequestInfo => ({
  id: 'r1',
  publicKey: 'K'.repeat(43),
  fingerprint: '7K3Q-MX2A-P9RT-4WZC',
  name: 'desk',
  address: '192.168.1.20:51000',
  offeredBytes: 2 * 1024 ** 3,
  direction: 'inbound',
  createdAt: 0,
  expiresAt: 60_000,
  ...over,
});

describe('consent notification text', () => {
  test('"NAME (fingerprint) wants to store up to SIZE in your RAM"', () => {
    const text = consentMessage(req(), 4 * 1024 ** 3);
    assert.ok(text.startsWith('desk (7K3Q-MX2A-P9RT-4WZC) wants to store up to 4 GiB in your RAM.'), text);
    assert.match(text, /connects from 192\.168\.1\.20:51000 and offers 2 GiB/);
    assert.match(consentMessage(req({ direction: 'outbound' }), undefined), /up to your offered memory .* You dialed it at/);
  });

  test('buttons map to answers; anything else is a refusal', () => {
    assert.deepEqual(CONSENT_BUTTONS.map((b) => b.title), ['Allow Once', 'Trust Always', 'Deny']);
    assert.equal(answerFor('Allow Once'), 'once');
    assert.equal(answerFor('Trust Always'), 'always');
    assert.equal(answerFor('Deny'), 'deny');
    assert.equal(answerFor(undefined), 'deny');
    assert.equal(answerFor('Close'), 'deny');
  });

  test('a known name with another key is a loud warning naming both fingerprints', () => {
    assert.equal(impostorWarning(req()), undefined);
    const w = impostorWarning(req({ nameMatchesTrustedFingerprint: 'AAAA-BBBB-CCCC-DDDD' }))!;
    assert.match(w, /^WARNING: "desk" is the name of a device you already trust \(fingerprint AAAA-BBBB-CCCC-DDDD\)/);
    assert.match(w, /different key \(fingerprint 7K3Q-MX2A-P9RT-4WZC\)/);
  });

  test('a late click says what happened', () => {
    assert.match(lateAnswerMessage({ name: 'desk' }, 'expired'), /expired before you answered, so it was denied/);
    assert.match(lateAnswerMessage({ name: 'desk' }, undefined), /expired/);
    assert.match(lateAnswerMessage({ name: 'desk' }, 'cancelled'), /gave up waiting/);
    assert.match(lateAnswerMessage({ name: 'desk' }, 'always'), /already answered elsewhere \(trusted\)/);
    assert.match(lateAnswerMessage({ name: 'desk' }, 'deny'), /\(denied\)/);
  });
});
