// The worker boundary's one validated entry per direction (engine/worker/worker-messages.ts):
// every field is checked by its schema, unknown types and extra fields in a request are refused.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseHostToWorker, parseWorkerToHost } from '../../../engine/worker/worker-messages';

const ready = {
  type: 'ready',
  info: { name: 'n', publicKey: 'k', fingerprint: 'f', host: '127.0.0.1', port: 7797, crypto: 'native', controlSocket: null },
};

test('the host accepts each message the worker sends, as sent', () => {
  for (const m of [
    ready,
    { type: 'log', entry: { at: 1, level: 'warn', message: 'x' } },
    { type: 'fatal', error: { code: 'HOME_UNUSABLE', message: 'no' } },
    { type: 'stopped' },
  ]) {
    assert.deepEqual(parseWorkerToHost(m), m);
  }
});

test('the host refuses a message from the worker with a wrong field, not only a wrong type', () => {
  for (const bad of [
    null,
    'ready',
    { type: 'nope' },
    { ...ready, info: { ...ready.info, port: -1 } },
    { ...ready, info: { ...ready.info, crypto: 'rot13' } },
    { type: 'log', entry: { at: 1, level: 'loud', message: 'x' } },
    { type: 'fatal', error: { code: 'HOME_UNUSABLE' } },
  ]) {
    assert.throws(() => parseWorkerToHost(bad), /^Error: malformed message from the engine worker: /, JSON.stringify(bad));
  }
});

test('the worker accepts only stop with a known reason, and nothing else on it', () => {
  assert.deepEqual(parseHostToWorker({ type: 'stop', reason: 'requested' }), { type: 'stop', reason: 'requested' });
  assert.deepEqual(parseHostToWorker({ type: 'stop', reason: 'host-exit' }), { type: 'stop', reason: 'host-exit' });
  for (const bad of [{ type: 'stop' }, { type: 'stop', reason: 'bored' }, { type: 'stop', reason: 'requested', extra: 1 }, { type: 'start' }, 7]) {
    assert.throws(() => parseHostToWorker(bad), /^Error: unknown message to the engine worker: /, JSON.stringify(bad));
  }
});
