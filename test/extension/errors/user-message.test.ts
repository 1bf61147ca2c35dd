import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ErrorCodes, MemCloudError, type ErrorCode } from '../../../engine/errors';
import { userMessage } from '../../../extension/errors/user-message';

const err = (code: ErrorCode, message = 'detail.') => new MemCloudError(code, message);

describe('userMessage: engine errors in words, with buttons that help', () => {
  test('every message names what failed', () => {
    for (const code of Object.values(ErrorCodes)) {
      const m = userMessage(err(code), 'offload big.iso');
      if (code === ErrorCodes.CANCELLED) assert.match(m.text, /^Cancelled: detail\.$/);
      else assert.match(m.text, /^Could not offload big\.iso: /, code);
    }
  });

  test('the node not running offers Start Node', () => {
    assert.deepEqual(userMessage(err(ErrorCodes.NODE_NOT_RUNNING), 'x').actions, ['startNode']);
    assert.deepEqual(userMessage(err(ErrorCodes.CHANNEL_CLOSED), 'x').actions, ['startNode']);
  });

  test('refusals explain what the other side must do', () => {
    const m = userMessage(err(ErrorCodes.CONSENT_DENIED, 'consent for desk was denied or expired'), 'connect to desk');
    assert.equal(m.severity, 'warning');
    assert.match(m.text, /did not accept this one \(consent for desk was denied or expired\)\. Ask its owner to trust this device/);
    assert.match(userMessage(err(ErrorCodes.PEER_KEY_CHANGED), 'connect').text, /different key than expected .* nothing was sent/);
    assert.deepEqual(userMessage(err(ErrorCodes.NO_PEERS), 'offload').actions, ['connectPeer']);
  });

  test('bad input and config point to the settings; cancellation is not an error', () => {
    assert.deepEqual(userMessage(err(ErrorCodes.CONFIG_INVALID), 'start').actions, ['openSettings']);
    assert.equal(userMessage(err(ErrorCodes.CANCELLED), 'offload').severity, 'info');
  });

  test('foreign errors keep their message and offer the log', () => {
    const m = userMessage(new Error('EACCES: permission denied'), 'restore a.bin');
    assert.equal(m.text, 'Could not restore a.bin: EACCES: permission denied. See the MemCloud output for details.');
    assert.deepEqual(m.actions, ['showLog']);
    assert.match(userMessage('weird', 'x').text, /weird/);
  });
});
