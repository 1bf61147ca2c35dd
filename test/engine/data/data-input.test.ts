import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isMemCloudError } from '../../../engine/errors';
import { MAX_KEY_BYTES, validateKey } from '../../../engine/data/data-input';

const refused = (key: unknown, message: RegExp) =>
  assert.throws(() => validateKey(key), (err) => isMemCloudError(err, 'BAD_ARGUMENT') && message.test(err.message));

describe('validateKey', () => {
  test('accepts printable keys up to the byte limit, multi-byte UTF-8 included', () => {
    for (const key of ['k', 'user:1', 'ключ', '鍵'.repeat(Math.floor(MAX_KEY_BYTES / 3)), 'x'.repeat(MAX_KEY_BYTES), '\u0080 and \u{1f511}']) {
      assert.equal(validateKey(key), key);
    }
  });

  test('refuses empty and non-string keys, keys over the byte limit, and control characters', () => {
    refused('', /non-empty string/);
    refused(42, /non-empty string/);
    refused('x'.repeat(MAX_KEY_BYTES + 1), /at most 1024 bytes/);
    refused('鍵'.repeat(Math.floor(MAX_KEY_BYTES / 3) + 1), /at most 1024 bytes/); // 342 characters, 1026 bytes
    for (const c of ['\u0000', '\n', '\u001f', '\u007f']) refused(`a${c}b`, /control characters/);
  });
});
