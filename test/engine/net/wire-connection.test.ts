// WireConnection over an in-memory duplex pair: preamble checks (docs/protocol.md section 1), frames
// queued until a listener takes them, and the one generic ABORT (section 2.2).

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { MemCloudError } from '../../../engine/errors';
import { FrameType, type FrameTypeValue } from '../../../engine/net/constants';
import { encodeFrame } from '../../../engine/net/framing';
import { WireConnection, encodePreamble } from '../../../engine/net/wire-connection';
import { duplexPair } from '../../support/attacks/duplex-pair';

const ABORT_BYTES = Buffer.from([0, 0, 0, 2, 3, 1]);
const tick = () => new Promise((r) => setImmediate(r));

function responder() {
  const pair = duplexPair();
  const conn = new WireConnection(pair.right, { expectPreamble: true, remoteAddress: 'test' });
  const closed = new Promise<MemCloudError | null>((resolve) => conn.onClose(resolve));
  const fromResponder = () => Buffer.concat(pair.sent.right);
  return { peer: pair.left, conn, closed, fromResponder };
}

describe('WireConnection', () => {
  test('the preamble is 4d 43 4c 44 || version u16 || flags 0000', () => {
    assert.deepEqual(encodePreamble(), Buffer.from([0x4d, 0x43, 0x4c, 0x44, 0, 1, 0, 0]));
    assert.deepEqual(encodePreamble(2), Buffer.from([0x4d, 0x43, 0x4c, 0x44, 0, 2, 0, 0]));
  });

  test('preamble and a frame in one chunk: the preamble resolves, the frame waits for a listener', async () => {
    const { peer, conn } = responder();
    peer.write(Buffer.concat([encodePreamble(), encodeFrame(FrameType.HANDSHAKE, Buffer.alloc(32, 1))]));
    assert.deepEqual(await conn.readPreamble(), encodePreamble());
    const got: Array<[FrameTypeValue, Buffer]> = [];
    conn.setFrameListener((t, b) => got.push([t, Buffer.from(b)]));
    assert.deepEqual(got, [[FrameType.HANDSHAKE, Buffer.alloc(32, 1)]]);
    conn.close();
  });

  test('the preamble byte by byte; version and flags are passed up unchecked (the handshake checks them)', async () => {
    const { peer, conn } = responder();
    const pre = Buffer.from([0x4d, 0x43, 0x4c, 0x44, 0, 2, 0xab, 0xcd]);
    const reading = conn.readPreamble();
    for (const b of pre) {
      peer.write(Buffer.from([b]));
      await tick();
    }
    assert.deepEqual(await reading, pre);
    assert.equal(conn.closed, false);
    conn.close();
  });

  for (let i = 0; i < 4; i++) {
    test(`a wrong magic byte ${i} is refused as soon as it arrives, with the generic ABORT`, async () => {
      const { peer, conn, closed, fromResponder } = responder();
      const bad = Buffer.from(encodePreamble().subarray(0, i + 1));
      bad[i]! ^= 0x20;
      for (const b of bad) peer.write(Buffer.from([b]));
      const err = await closed;
      assert.equal(err?.code, 'FRAME_MALFORMED');
      assert.ok(conn.closed);
      await tick();
      assert.deepEqual(fromResponder(), ABORT_BYTES);
    });
  }

  test('frames queued before the listener are delivered first, in order, then later ones directly', async () => {
    const pair = duplexPair();
    const conn = new WireConnection(pair.right, { expectPreamble: false });
    pair.left.write(Buffer.concat([encodeFrame(FrameType.HANDSHAKE, Buffer.from('1')), encodeFrame(FrameType.TRANSPORT, Buffer.from('2'))]));
    await tick();
    const got: string[] = [];
    conn.setFrameListener((t, b) => got.push(`${t}:${b}`));
    pair.left.write(encodeFrame(FrameType.TRANSPORT, Buffer.from('3')));
    await tick();
    assert.deepEqual(got, ['1:1', '2:2', '2:3']);
    conn.close();
  });

  test('a listener that consumes at once is lent frames spanning chunks in one buffer; any other gets their own memory', async () => {
    const frames = [Buffer.alloc(3000, 1), Buffer.alloc(2000, 2), Buffer.alloc(10, 3)];
    const bytes = Buffer.concat(frames.map((f) => encodeFrame(FrameType.TRANSPORT, f)));
    for (const consumesAtOnce of [true, false]) {
      const pair = duplexPair();
      const conn = new WireConnection(pair.right, { expectPreamble: false });
      const bodies: Buffer[] = [];
      const copies: Buffer[] = [];
      conn.setFrameListener((_t, b) => {
        bodies.push(b);
        copies.push(Buffer.from(b));
      }, { consumesAtOnce });
      for (let at = 0; at < bytes.length; at += 1000) pair.left.write(bytes.subarray(at, at + 1000)); // every frame spans chunks
      await tick();
      assert.deepEqual(copies, frames, `consumesAtOnce ${consumesAtOnce}: the frames, in order`);
      const sameMemory = bodies[0]!.buffer === bodies[1]!.buffer;
      assert.equal(sameMemory, consumesAtOnce, 'one lent buffer only for a listener that consumes at once');
      if (!consumesAtOnce) assert.deepEqual(bodies, frames, 'kept bodies stay intact');
      conn.close();
    }
  });

  test('an ABORT from the peer closes the connection and is never given to the listener', async () => {
    const { peer, conn, closed, fromResponder } = responder();
    const got: number[] = [];
    conn.setFrameListener((t) => got.push(t));
    peer.write(Buffer.concat([encodePreamble(), ABORT_BYTES, encodeFrame(FrameType.HANDSHAKE, Buffer.alloc(32))]));
    assert.equal((await closed)?.code, 'HANDSHAKE_FAILED');
    assert.deepEqual(got, []);
    await tick();
    assert.deepEqual(fromResponder(), Buffer.alloc(0), 'no ABORT back to a peer that aborted');
  });

  test('abort() writes exactly 00 00 00 02 03 01 once, then ends the connection', async () => {
    const { conn, closed, fromResponder } = responder();
    const reason = { code: 'PEER_REVOKED' } as MemCloudError;
    conn.abort(reason);
    conn.abort(reason);
    conn.writeFrame(FrameType.TRANSPORT, Buffer.from('after'));
    assert.equal(await closed, reason);
    await tick();
    assert.deepEqual(fromResponder(), ABORT_BYTES);
  });

  test('a bad frame after the preamble: generic ABORT, closed with the frame error', async () => {
    const { peer, closed, fromResponder } = responder();
    peer.write(Buffer.concat([encodePreamble(), Buffer.from([0xff, 0xff, 0xff, 0xff, 1])]));
    assert.equal((await closed)?.code, 'FRAME_TOO_LARGE');
    await tick();
    assert.deepEqual(fromResponder(), ABORT_BYTES);
  });

  test('the peer closing ends the connection; onClose after the fact still reports it', async () => {
    const { peer, conn, closed } = responder();
    peer.end();
    assert.equal((await closed)?.code, 'CHANNEL_CLOSED');
    const late = await new Promise<MemCloudError | null>((resolve) => conn.onClose(resolve));
    assert.equal(late?.code, 'CHANNEL_CLOSED');
  });

  test('close() is idempotent and a clean close reports null', async () => {
    const { conn, closed } = responder();
    conn.close();
    conn.close({ code: 'INTERNAL' } as MemCloudError);
    assert.equal(await closed, null);
  });
});
