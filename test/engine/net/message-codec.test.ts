// Channel messages inside the decrypted stream (docs/protocol.md section 6): split identically at
// every record boundary, fast and slow paths equal, bad kinds and lengths refused before allocating.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_MESSAGE_BODY, MESSAGE_HEADER_LENGTH, MessageKind, type MessageKindValue } from '../../../engine/net/constants';
import { MessageDecoder, encodeMessageHeader } from '../../../engine/net/message-codec';
import { allocationsDuring as allocations } from '../../support/attacks/alloc-spy';
import { failsWith } from '../../support/errors';

type Decoded = Array<[MessageKindValue, Buffer]>;

const encode = (kind: MessageKindValue, body: Buffer) => Buffer.concat([encodeMessageHeader(kind, body.length), body]);

function decode(chunks: readonly Buffer[]): Decoded {
  const decoder = new MessageDecoder();
  const out: Decoded = [];
  for (const c of chunks) decoder.push(c, (kind, body) => out.push([kind, Buffer.from(body)]));
  return out;
}


const messages: Decoded = [
  [MessageKind.HELLO, Buffer.alloc(32, 0xc1)],
  [MessageKind.APP, Buffer.from('hello')],
  [MessageKind.APP, Buffer.alloc(0)],
  [MessageKind.PING, Buffer.alloc(8, 1)],
  [MessageKind.PONG, Buffer.alloc(8, 2)],
  [MessageKind.APP, Buffer.alloc(700, 0x33)],
  [MessageKind.CLOSE, Buffer.from([0])],
];
const stream = Buffer.concat(messages.map(([k, b]) => encode(k, b)));

describe('channel message codec', () => {
  test('header is u32 BE (kind + body) || kind; over-long bodies are refused', () => {
    assert.deepEqual(encodeMessageHeader(MessageKind.APP, 5), Buffer.from([0, 0, 0, 6, 0]));
    assert.equal(encodeMessageHeader(MessageKind.APP, MAX_MESSAGE_BODY).readUInt32BE(0), MAX_MESSAGE_BODY + 1);
    for (const n of [MAX_MESSAGE_BODY + 1, -1, 0.5]) assert.throws(() => encodeMessageHeader(MessageKind.APP, n), failsWith('FRAME_TOO_LARGE'));
  });

  test('one chunk (fast path), every single split, and byte by byte all agree', () => {
    assert.deepEqual(decode([stream]), messages);
    for (let cut = 1; cut < stream.length; cut++) {
      assert.deepEqual(decode([stream.subarray(0, cut), stream.subarray(cut)]), messages, `cut at ${cut}`);
    }
    assert.deepEqual(decode([...stream].map((b) => Buffer.from([b]))), messages);
  });

  test('every pair of splits across the first three messages', () => {
    const end = 3 * MESSAGE_HEADER_LENGTH + 32 + 5 + 1;
    for (let i = 1; i < end; i++) {
      for (let j = i + 1; j < end; j++) {
        assert.deepEqual(decode([stream.subarray(0, i), stream.subarray(i, j), stream.subarray(j)]), messages, `cuts ${i}, ${j}`);
      }
    }
  });

  test('unknown kinds (6, 128, 255) are malformed in both paths; nothing is emitted for them', () => {
    for (const kind of [6, 128, 255]) {
      const bad = Buffer.from([0, 0, 0, 2, kind, 1]);
      assert.throws(() => new MessageDecoder().push(bad, () => assert.fail('no message')), failsWith('FRAME_MALFORMED'));
      const d = new MessageDecoder();
      assert.throws(() => [...bad].forEach((b) => d.push(Buffer.from([b]), () => assert.fail('no message'))), failsWith('FRAME_MALFORMED'));
    }
  });

  test('length 0 is malformed in both paths', () => {
    const bad = Buffer.from([0, 0, 0, 0, 0]);
    assert.throws(() => new MessageDecoder().push(bad, () => assert.fail('no message')), failsWith('FRAME_MALFORMED'));
    const d = new MessageDecoder();
    assert.throws(() => [...bad].forEach((b) => d.push(Buffer.from([b]), () => assert.fail('no message'))), failsWith('FRAME_MALFORMED'));
  });

  test('lengths over the limit (ffffffff, limit + 1) are refused without allocating', async () => {
    for (const length of [0xffffffff, MAX_MESSAGE_BODY + 2]) {
      const header = Buffer.alloc(MESSAGE_HEADER_LENGTH);
      header.writeUInt32BE(length, 0);
      header[4] = MessageKind.APP;
      const whole = new MessageDecoder();
      assert.deepEqual(await allocations(() => assert.throws(() => whole.push(header, () => undefined), failsWith('FRAME_TOO_LARGE'))), []);
      const d = new MessageDecoder();
      const sizes = await allocations(() => assert.throws(() => [...header].forEach((b) => d.push(Buffer.from([b]), () => undefined)), failsWith('FRAME_TOO_LARGE')));
      assert.deepEqual(sizes, [], `length ${length}`);
    }
  });

  test('the largest legal message allocates exactly its body once', async () => {
    const d = new MessageDecoder();
    const header = encodeMessageHeader(MessageKind.APP, MAX_MESSAGE_BODY);
    const sizes = await allocations(() => d.push(header, () => assert.fail('not complete yet')));
    assert.deepEqual(sizes, [MAX_MESSAGE_BODY]);
  });

  test('a message spanning many records is assembled; small ones inside a record are views', () => {
    const big = Buffer.alloc(200_000, 7);
    const bytes = Buffer.concat([encode(MessageKind.APP, Buffer.from('x')), encode(MessageKind.APP, big)]);
    const records: Buffer[] = [];
    for (let at = 0; at < bytes.length; at += 65519) records.push(bytes.subarray(at, at + 65519));
    const got: Buffer[] = [];
    const d = new MessageDecoder();
    for (const r of records) d.push(r, (_k, body) => got.push(body));
    assert.equal(got.length, 2);
    assert.equal(got[0]!.buffer, bytes.buffer, 'a view into the record');
    assert.ok(got[1]!.equals(big));
  });
});
