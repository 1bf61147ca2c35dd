import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FrameKind, OpCodes } from '../../../engine/control/protocol';
import { FakeEngine } from '../../support/fake-engine';
import { RawClient, bytes, frame, text, withServer, type RawFrame } from './harness';
import { eventuallyPasses } from '../../support/eventually';

const errorOf = (f: RawFrame): { code: string; message: string } => JSON.parse(f.body.toString('utf8'));

/** Runs `fn` with a raw client and a healthy SDK client; afterwards the healthy one must still work. */
async function withVictim(fn: (raw: RawClient) => Promise<void>): Promise<void> {
  await withServer(new FakeEngine(), async ({ path, client }) => {
    const healthy = await client();
    const raw = await RawClient.open(path);
    try {
      await fn(raw);
    } finally {
      raw.socket.destroy();
    }
    assert.equal((await healthy.status()).name, 'laptop', 'the server keeps serving other clients');
    const again = await client();
    assert.deepEqual(await again.keys(), [], 'and accepts new ones');
  });
}

/** The connection-level refusal: one ERROR frame with id 0 and BAD_REQUEST, then the close. */
async function expectRefusedAndClosed(raw: RawClient): Promise<void> {
  const [f] = await raw.waitFrames(1);
  assert.equal(f!.kind, FrameKind.ERROR);
  assert.equal(f!.id, 0);
  assert.equal(errorOf(f!).code, 'BAD_REQUEST');
  await raw.ended;
}

describe('control server: malformed input', () => {
  test('garbage text: BAD_REQUEST and close', async () => {
    await withVictim(async (raw) => {
      raw.send(text('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
      await expectRefusedAndClosed(raw);
    });
  });

  test('an oversized length is refused before anything is allocated', async () => {
    await withVictim(async (raw) => {
      const before = process.memoryUsage().arrayBuffers;
      raw.send(bytes(0xff, 0xff, 0xff, 0xff, FrameKind.REQUEST, OpCodes.get, 0, 0, 0, 1));
      await expectRefusedAndClosed(raw);
      assert.ok(process.memoryUsage().arrayBuffers - before < 1024 * 1024);
      assert.match(errorOf(raw.frames[0]!).message, /exceeds/);
    });
  });

  test('a length shorter than the header: BAD_REQUEST and close', async () => {
    await withVictim(async (raw) => {
      raw.send(bytes(0, 0, 0, 2, FrameKind.REQUEST, 0));
      await expectRefusedAndClosed(raw);
    });
  });

  test('an unknown frame kind or request id 0: BAD_REQUEST and close', async () => {
    await withVictim(async (raw) => {
      raw.send(frame(99, 0, 5));
      await expectRefusedAndClosed(raw);
    });
    await withVictim(async (raw) => {
      raw.send(frame(FrameKind.REQUEST, OpCodes.status, 0));
      await expectRefusedAndClosed(raw);
    });
  });

  test('an unknown op or a bad body fails that request only; the connection stays usable', async () => {
    await withVictim(async (raw) => {
      const truncatedGet = bytes(0, 100, 0x61, 0x62); // str16 says 100 bytes, 2 follow
      const badUtf8 = bytes(0, 2, 0xc3, 0x28);
      const trailing = bytes(0, 1, 0x61, 0x00);
      const badOptions = Buffer.concat([bytes(0, 1, 0x6b), bytes(0x80), bytes(1)]); // unknown option bit
      raw.send(
        Buffer.concat([
          frame(FrameKind.REQUEST, 200, 1),
          frame(FrameKind.REQUEST, OpCodes.get, 2, truncatedGet),
          frame(FrameKind.REQUEST, OpCodes.get, 3, badUtf8),
          frame(FrameKind.REQUEST, OpCodes.del, 4, trailing),
          frame(FrameKind.REQUEST, OpCodes.set, 5, badOptions),
          frame(FrameKind.REQUEST, OpCodes.keys, 6, text('["a",')),
          frame(FrameKind.REQUEST, OpCodes.keys, 7, text('[1]')),
          frame(FrameKind.REQUEST, OpCodes.status, 8, text('["extra"]')),
          frame(FrameKind.REQUEST, OpCodes.streamWrite, 9, bytes(0, 0, 0, 42, 1, 2)),
          frame(FrameKind.REQUEST, OpCodes.status, 10),
        ]),
      );
      const frames = await raw.waitFrames(10);
      const byId = new Map(frames.map((f) => [f.id, f]));
      for (let id = 1; id <= 9; id++) {
        const f = byId.get(id)!;
        assert.equal(f.kind, FrameKind.ERROR, `request ${id} fails`);
        assert.equal(errorOf(f).code, 'BAD_REQUEST', `request ${id}: ${errorOf(f).message}`);
      }
      assert.equal(byId.get(10)!.kind, FrameKind.RESULT);
      assert.equal(JSON.parse(byId.get(10)!.body.toString()).name, 'laptop');
      assert.match(errorOf(byId.get(1)!).message, /unknown op 200/);
    });
  });

  test('a truncated frame followed by a hang-up costs nothing', async () => {
    await withVictim(async (raw) => {
      const f = frame(FrameKind.REQUEST, OpCodes.set, 1, new Uint8Array(5000));
      raw.send(f.subarray(0, 3000));
      await new Promise((r) => setTimeout(r, 20));
      raw.socket.end();
      await raw.ended;
      assert.equal(raw.frames.length, 0);
    });
  });

  test('a frame split at every byte still decodes', async () => {
    await withVictim(async (raw) => {
      const f = Buffer.concat([frame(FrameKind.REQUEST, OpCodes.keys, 1, text('["x*"]')), frame(FrameKind.REQUEST, OpCodes.status, 2)]);
      for (const b of f) {
        raw.send(bytes(b));
        await new Promise((r) => setImmediate(r));
      }
      const frames = await raw.waitFrames(2);
      assert.deepEqual(
        frames.map((x) => [x.kind, x.id]),
        [
          [FrameKind.RESULT, 1],
          [FrameKind.RESULT, 2],
        ],
      );
    });
  });

  test('acknowledging bytes that were never sent: BAD_REQUEST and close', async () => {
    const fake = new FakeEngine();
    await withServer(fake, async ({ path }) => {
      const raw = await RawClient.open(path);
      raw.send(frame(FrameKind.REQUEST, OpCodes.openReadStream, 1, text('["gen:10",1]')));
      const [opened] = await raw.waitFrames(1);
      const { stream } = JSON.parse(opened!.body.toString()) as { stream: number };
      await raw.waitFrames(2); // the first (and only allowed) chunk
      raw.send(frame(FrameKind.ACK, 0, stream, bytes(0, 0, 1, 0)));
      await raw.ended;
      const last = raw.frames[raw.frames.length - 1]!;
      assert.equal(last.kind, FrameKind.ERROR);
      assert.equal(errorOf(last).code, 'BAD_REQUEST');
      await eventuallyPasses(() => assert.deepEqual(fake.closedReadStreams, ['gen:10'], 'the stream was cleaned up'));
    });
  });
});
