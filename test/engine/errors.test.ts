// engine/errors.ts: how any thrown value becomes a MemCloudError and crosses a thread or socket.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCodes, MemCloudError, fromErrorPayload, stacklessError, toErrorPayload, toMemCloudError } from '../../engine/errors';

test('toMemCloudError keeps a MemCloudError as it is, whatever code is asked for', () => {
  const original = new MemCloudError(ErrorCodes.QUOTA_EXCEEDED, 'no room');
  assert.equal(toMemCloudError(original), original);
  assert.equal(toMemCloudError(original, ErrorCodes.FRAME_MALFORMED, 'context'), original);
});

test('toMemCloudError gives anything else the code asked for (INTERNAL by default) and its message', () => {
  const e = toMemCloudError(new RangeError('offset out of range'));
  assert.ok(e instanceof MemCloudError);
  assert.equal(e.code, ErrorCodes.INTERNAL);
  assert.equal(e.message, 'offset out of range');
  const cause = new TypeError('bad bytes');
  const framed = toMemCloudError(cause, ErrorCodes.FRAME_MALFORMED);
  assert.equal(framed.code, ErrorCodes.FRAME_MALFORMED);
  assert.equal(framed.cause, cause);
  assert.equal(toMemCloudError('a string thrown').message, 'a string thrown');
  assert.equal(toMemCloudError(undefined).message, 'undefined');
});

test('toMemCloudError puts the context before the message', () => {
  assert.equal(toMemCloudError(new Error('tag mismatch'), ErrorCodes.INTERNAL, 'opening failed').message, 'opening failed: tag mismatch');
});

test('an error crosses as {code, message}: no stack, no class name, unknown codes refused', () => {
  const err = new Error('boom');
  const payload = toErrorPayload(err);
  assert.deepEqual(payload, { code: 'INTERNAL', message: 'boom' });
  const back = fromErrorPayload(toErrorPayload(new MemCloudError(ErrorCodes.NOT_FOUND, 'no such key')));
  assert.equal(back.code, ErrorCodes.NOT_FOUND);
  assert.equal(back.message, 'no such key');
  assert.equal(fromErrorPayload({ code: 'NOT_A_CODE', message: 'x' }).message, 'malformed error payload');
});

test('stacklessError is a MemCloudError with its code and message and no stack frames; later errors keep theirs', () => {
  const e = stacklessError(ErrorCodes.CHANNEL_CLOSED, 'connection closed by peer');
  assert.ok(e instanceof MemCloudError);
  assert.equal(e.code, ErrorCodes.CHANNEL_CLOSED);
  assert.equal(e.message, 'connection closed by peer');
  assert.doesNotMatch(e.stack ?? '', /\n\s+at /);
  assert.match(new MemCloudError(ErrorCodes.INTERNAL, 'x').stack ?? '', /\n\s+at /);
});
