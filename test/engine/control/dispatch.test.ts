// How the server hands requests to the engine: a burst of requests in one socket write is passed on
// in slices (so the first ones can be on their way before the last are prepared), yet strictly in
// arrival order, and every one is answered.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FrameKind, OpCodes } from '../../../engine/control/protocol';
import { FakeEngine } from '../../support/fake-engine';
import { RawClient, frame, text, withServer } from './harness';

/** The body of a `set` request: key:str16, no options, value. */
function setBody(key: string, value: Uint8Array): Buffer {
  const k = Buffer.from(key, 'utf8');
  const len = Buffer.alloc(2);
  len.writeUInt16BE(k.length);
  return Buffer.concat([len, k, Buffer.of(0), value]);
}

describe('control server: dispatch', () => {
  test('a burst of 500 requests in one write reaches the engine in arrival order; all are answered', async () => {
    const fake = new FakeEngine();
    await withServer(fake, async ({ path }) => {
      const raw = await RawClient.open(path);
      try {
        const n = 500;
        const keys = Array.from({ length: n }, (_, i) => (i % 7 === 0 ? `ключ-${i}` : `k${i}`));
        raw.send(Buffer.concat(keys.map((k, i) => frame(FrameKind.REQUEST, OpCodes.set, i + 1, setBody(k, text(`v${i}`))))));
        const frames = await raw.waitFrames(n);
        assert.ok(frames.every((f) => f.kind === FrameKind.RESULT && f.op === OpCodes.set));
        assert.deepEqual(frames.map((f) => f.id).sort((a, b) => a - b), keys.map((_, i) => i + 1));
        assert.deepEqual(fake.calls.filter((c) => c.method === 'set').map((c) => c.args[0]), keys);
        assert.deepEqual(fake.kv.get(keys[499]!), text('v499'));
      } finally {
        raw.socket.destroy();
      }
    });
  });
});
