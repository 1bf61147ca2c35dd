import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ConsentRequestInfo } from '../../../engine/api/types';
import { LINK_SYNTAX, displayText } from '../../../engine/text/display-text';
import { CONSENT_BUTTONS, answerFor, consentMessage, impostorWarning, lateAnswerMessage, warningDetail } from '../../../extension/consent/consent-text';

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
  test('"Device FINGERPRINT [NAME] wants to store up to SIZE in your RAM": the fingerprint first, the name delimited', () => {
    const text = consentMessage(req(), 4 * 1024 ** 3);
    assert.ok(text.startsWith('Device 7K3Q-MX2A-P9RT-4WZC [\u2068desk\u2069] wants to store up to 4 GiB in your RAM.'), text);
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

  test('a known name with another key is a loud warning naming both fingerprints before the name', () => {
    assert.equal(impostorWarning(req()), undefined);
    const impostor = req({ nameMatchesTrustedFingerprint: 'AAAA-BBBB-CCCC-DDDD' });
    assert.match(impostorWarning(impostor)!, /^WARNING: possible impostor/);
    const detail = warningDetail(impostor, undefined);
    assert.ok(detail.startsWith('This is device 7K3Q-MX2A-P9RT-4WZC [\u2068desk\u2069].'), detail);
    assert.match(detail, /trust under a name like that has fingerprint AAAA-BBBB-CCCC-DDDD, a different key/);
  });

  test('a hostile name stays text: no link survives the notification escape', () => {
    const hostile = req({ name: '[Allow Once](command:memcloud.offload?"/etc")' });
    for (const text of [consentMessage(hostile, 1), lateAnswerMessage(hostile, 'expired'), lateAnswerMessage(hostile, 'deny')]) {
      assert.equal([...text.matchAll(LINK_SYNTAX)].length > 0 || text.includes('] ('), true, 'the test name would be a link, or is already split');
      assert.deepEqual([...displayText(text, 'notification').matchAll(LINK_SYNTAX)], []);
    }
  });

  test('a late click says what happened', () => {
    assert.match(lateAnswerMessage({ name: 'desk' }, 'expired'), /expired before you answered, so it was denied/);
    assert.match(lateAnswerMessage({ name: 'desk' }, undefined), /expired/);
    assert.match(lateAnswerMessage({ name: 'desk' }, 'cancelled'), /gave up waiting/);
    assert.match(lateAnswerMessage({ name: 'desk' }, 'always'), /already answered elsewhere \(trusted\)/);
    assert.match(lateAnswerMessage({ name: 'desk' }, 'deny'), /\(denied\)/);
  });
});
