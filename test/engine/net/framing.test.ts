// The frame layer (docs/protocol.md section 2): the decoder splits a stream identically however it
// is chunked (fast path and slow path agree), refuses bad lengths and types before allocating, and
// stays failed afterwards.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FRAME_HEADER_LENGTH, FrameType, MAX_FRAME_BODY, type FrameTypeValue } from '../../../engine/net/constants';
import { FrameDecoder, encodeFrame, encodeFrameHeader } from '../../../engine/net/framing';
import { allocationsDuring as allocations } from '../../support/attacks/alloc-spy';
import { failsWith } from '../../support/errors';

type Decoded = Array<[FrameTypeValue, Buffer]>;


/** Feeds the stream in the given chunks; returns every frame (bodies copied). */
function decode(chunks: readonly Buffer[]): Decoded {
  const decoder = new FrameDecoder();
  const out: Decoded = [];
  for (const c of chunks) decoder.push(c, (type, body) => out.push([type, Buffer.from(body)]));
  assert.ok(decoder.idle, 'no partial frame left');
  return out;
}

function splitAt(stream: Buffer, cuts: readonly number[]): Buffer[] {
  const points = [0, ...cuts, stream.length];
  return points.slice(1).map((end, i) => stream.subarray(points[i], end));
}


const frames: Decoded = [
  [FrameType.HANDSHAKE, Buffer.from('message one, thirty-two bytes!!!')],
  [FrameType.TRANSPORT, Buffer.alloc(0)],
  [FrameType.TRANSPORT, Buffer.from([1, 2, 3])],
  [FrameType.ABORT, Buffer.from([1])],
  [FrameType.TRANSPORT, Buffer.alloc(300, 0x5a)],
];
const stream = Buffer.concat(frames.map(([t, b]) => encodeFrame(t, b)));

describe('frame encoding', () => {
  test('header is u32 BE (type + body) || type; the ABORT frame is 00 00 00 02 03 01', () => {
    assert.deepEqual(encodeFrameHeader(FrameType.TRANSPORT, 300), Buffer.from([0, 0, 1, 45, 2]));
    assert.deepEqual(encodeFrame(FrameType.ABORT, Uint8Array.of(1)), Buffer.from([0, 0, 0, 2, 3, 1]));
    assert.equal(encodeFrameHeader(FrameType.HANDSHAKE, MAX_FRAME_BODY).readUInt32BE(0), 65536);
  });

  test('bodies over 65535 bytes, negative or fractional lengths are refused', () => {
    for (const n of [MAX_FRAME_BODY + 1, -1, 1.5, Number.NaN]) {
      assert.throws(() => encodeFrameHeader(FrameType.TRANSPORT, n), failsWith('FRAME_TOO_LARGE'), String(n));
    }
  });
});

describe('FrameDecoder', () => {
  test('the whole stream in one chunk (fast path) gives every frame in order', () => {
    assert.deepEqual(decode([stream]), frames);
  });

  test('split at every single byte boundary, and byte by byte, the result is the same', () => {
    for (let cut = 1; cut < stream.length; cut++) assert.deepEqual(decode(splitAt(stream, [cut])), frames, `cut at ${cut}`);
    assert.deepEqual(decode([...stream].map((b) => Buffer.from([b]))), frames);
  });

  test('split at every pair of boundaries inside the first two frames', () => {
    const end = encodeFrame(frames[0]![0], frames[0]![1]).length + FRAME_HEADER_LENGTH + 2;
    for (let i = 1; i < end; i++) {
      for (let j = i + 1; j < end; j++) assert.deepEqual(decode(splitAt(stream, [i, j])), frames, `cuts ${i}, ${j}`);
    }
  });

  test('bodies whole inside a chunk are views (no copy); split bodies are assembled', () => {
    const seen: Buffer[] = [];
    new FrameDecoder().push(stream, (_t, body) => seen.push(body));
    assert.equal(seen[0]!.buffer, stream.buffer, 'fast path body is a view into the chunk');
    const split: Buffer[] = [];
    const d = new FrameDecoder();
    for (const c of splitAt(stream, [10])) d.push(c, (_t, body) => split.push(body));
    assert.notEqual(split[0]!.buffer, stream.buffer);
    assert.deepEqual(split[0], frames[0]![1]);
  });

  test('length 0 (no type byte) is malformed, in both paths', () => {
    const bad = Buffer.from([0, 0, 0, 0, 2]);
    assert.throws(() => new FrameDecoder().push(bad, () => assert.fail('no frame')), failsWith('FRAME_MALFORMED'));
    const d = new FrameDecoder();
    assert.throws(() => [...bad].forEach((b) => d.push(Buffer.from([b]), () => assert.fail('no frame'))), failsWith('FRAME_MALFORMED'));
  });

  test('unknown types (0, 4, 255) are malformed, in both paths', () => {
    for (const type of [0, 4, 255]) {
      const bad = Buffer.from([0, 0, 0, 2, type, 1]);
      assert.throws(() => new FrameDecoder().push(bad, () => assert.fail('no frame')), failsWith('FRAME_MALFORMED'), `type ${type}`);
      const d = new FrameDecoder();
      assert.throws(() => [...bad].forEach((b) => d.push(Buffer.from([b]), () => assert.fail('no frame'))), failsWith('FRAME_MALFORMED'));
    }
  });

  test('length 65536 is the largest accepted; 65537 is too large', () => {
    const biggest = encodeFrame(FrameType.TRANSPORT, Buffer.alloc(MAX_FRAME_BODY, 1));
    assert.equal(decode([biggest])[0]![1].length, MAX_FRAME_BODY);
    const over = Buffer.from([0, 1, 0, 1, FrameType.TRANSPORT]);
    assert.throws(() => new FrameDecoder().push(over, () => undefined), failsWith('FRAME_TOO_LARGE'));
  });

  test('ff ff ff ff is refused without allocating, in the fast path and byte by byte', async () => {
    const hostile = Buffer.from([0xff, 0xff, 0xff, 0xff, FrameType.TRANSPORT, 0, 0, 0]);
    const whole = new FrameDecoder();
    const fast = await allocations(() => assert.throws(() => whole.push(hostile, () => undefined), failsWith('FRAME_TOO_LARGE')));
    assert.deepEqual(fast, []);
    const d = new FrameDecoder();
    const slow = await allocations(() => {
      for (let i = 0; i < 3; i++) d.push(hostile.subarray(i, i + 1), () => undefined);
      // Refused on its 4th byte: no type byte needed (docs/protocol.md section 2).
      assert.throws(() => d.push(hostile.subarray(3, 4), () => undefined), failsWith('FRAME_TOO_LARGE'));
    });
    assert.deepEqual(slow, []);
  });

  test('the limit can be lowered between frames: it applies to the next frame of the same chunk', () => {
    const d = new FrameDecoder();
    const got: number[] = [];
    const chunk = Buffer.concat([encodeFrame(FrameType.HANDSHAKE, Buffer.alloc(32)), encodeFrame(FrameType.TRANSPORT, Buffer.alloc(60))]);
    assert.throws(
      () =>
        d.push(chunk, (_t, body) => {
          got.push(body.length);
          d.maxBody = 59;
        }),
      failsWith('FRAME_TOO_LARGE'),
    );
    assert.deepEqual(got, [32]);
    const exact = new FrameDecoder(32);
    assert.throws(() => exact.push(Buffer.from([0, 0, 0, 34]), () => undefined), failsWith('FRAME_TOO_LARGE'));
    assert.doesNotThrow(() => new FrameDecoder(32).push(Buffer.from([0, 0, 0, 33]), () => undefined));
  });

  test('a partial header followed by a body allocates exactly the announced length, once', async () => {
    const f = encodeFrame(FrameType.TRANSPORT, Buffer.alloc(1000, 3));
    const d = new FrameDecoder();
    const sizes = await allocations(() => {
      d.push(f.subarray(0, 3), () => undefined);
      d.push(f.subarray(3, 500), () => undefined);
      d.push(f.subarray(500), () => undefined);
    });
    assert.deepEqual(sizes, [1000]);
  });

  test('after a failure the decoder refuses all further input', () => {
    const d = new FrameDecoder();
    assert.throws(() => d.push(Buffer.from([0, 0, 0, 2, 9, 0]), () => undefined), failsWith('FRAME_MALFORMED'));
    assert.throws(() => d.push(encodeFrame(FrameType.TRANSPORT, Buffer.from('ok')), () => assert.fail('no frame')), failsWith('FRAME_MALFORMED'));
  });

  test('frames before a bad one in the same chunk are delivered; nothing after it', () => {
    const got: number[] = [];
    const chunk = Buffer.concat([encodeFrame(FrameType.HANDSHAKE, Buffer.from('a')), Buffer.from([0, 0, 0, 2, 7, 0]), encodeFrame(FrameType.TRANSPORT, Buffer.from('b'))]);
    assert.throws(() => new FrameDecoder().push(chunk, (t) => got.push(t)), failsWith('FRAME_MALFORMED'));
    assert.deepEqual(got, [FrameType.HANDSHAKE]);
  });
});
