import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isMemCloudError } from '../../../engine/errors';
import { MAX_PEER_MESSAGE_BYTES, advertisedName, receivedMessage, receivedName } from '../../../engine/text/peer-text';

describe('peer text is created only by the boundary validators', () => {
  test('a handshake name is taken as sent, or refused as malformed', () => {
    assert.equal(receivedName('desk'), 'desk');
    for (const bad of ['[Allow Once](command:memcloud.offload?"/etc")', 'de\u200bsk', 'desk\u202e', '', 'x'.repeat(65), 'e\u0301']) {
      assert.throws(() => receivedName(bad), (e) => isMemCloudError(e, 'FRAME_MALFORMED'), JSON.stringify(bad));
    }
  });

  test('an advertised name is sanitized, or replaced by the generated one', () => {
    assert.equal(advertisedName('[Allow Once](command:x)', '7K3Q-MX2A-P9RT-4WZC'), 'Allow Once command:x');
    assert.equal(advertisedName('\u202e\u200b', '7K3Q-MX2A-P9RT-4WZC'), 'device-7k3q');
  });

  test('a message loses controls, format characters and line breaks, and is cut to 512 bytes', () => {
    assert.equal(receivedMessage('disk\u0000 full\r\nFAKE LINE\u001b[2J \u202Eevil\u200b'), 'disk full FAKE LINE [2J evil');
    const long = receivedMessage('é'.repeat(400));
    assert.ok(Buffer.byteLength(long, 'utf8') <= MAX_PEER_MESSAGE_BYTES);
    assert.ok(long.endsWith('...'));
    assert.equal(receivedMessage('a\ud800b'), 'a b', 'a lone surrogate is dropped');
  });
});
