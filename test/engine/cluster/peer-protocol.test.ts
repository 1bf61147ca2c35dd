// The RAM-protocol decoder (docs/protocol.md section 7) is exact: ids, notice ids, error text.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCodes, MemCloudError, isMemCloudError } from '../../../engine/errors';
import {
  MAX_ERROR_TEXT_BYTES,
  Op,
  decodePeerMessage,
  encodeError,
  encodeLeaving,
  encodeLoad,
  encodeQuota,
  encodeStat,
} from '../../../engine/cluster/peer-protocol';

const BLOCK = '00112233445566778899aabbccddeeff';

function message(op: number, id: number, rest: Uint8Array = new Uint8Array(0)): Buffer {
  const b = Buffer.alloc(5 + rest.length);
  b[0] = op;
  b.writeUInt32BE(id, 1);
  b.set(rest, 5);
  return b;
}

function errorReply(op: number, id: number, text: Buffer, status = 1): Buffer {
  return message(0x80 | op, id, Buffer.concat([Buffer.of(status), text]));
}

const refused = (b: Buffer, why: RegExp) =>
  assert.throws(() => decodePeerMessage(b), (e) => isMemCloudError(e, 'FRAME_MALFORMED') && why.test(e.message));

describe('RAM protocol: ids', () => {
  test('a request with id 0 is refused; id 1 and 2^32-1 are fine', () => {
    refused(encodeLoad(0, BLOCK), /with id 0/);
    refused(encodeStat(0), /with id 0/);
    for (const id of [1, 0xffffffff]) assert.equal(decodePeerMessage(encodeLoad(id, BLOCK)).kind, 'request');
  });

  test('a reply with id 0 is refused', () => {
    refused(message(0x80 | Op.STORE, 0, Buffer.of(0)), /with id 0/);
  });

  test('notices carry id 0 exactly; any other id is refused', () => {
    assert.deepEqual(decodePeerMessage(encodeLeaving()), { kind: 'notice', notice: { op: Op.LEAVING } });
    for (const id of [1, 7, 0xffffffff]) {
      const leaving = encodeLeaving();
      leaving.writeUInt32BE(id, 1);
      refused(leaving, /notice 0x10 with id/);
      const quota = encodeQuota(1024);
      quota.writeUInt32BE(id, 1);
      refused(quota, /notice 0x12 with id/);
    }
    // Unassigned notice ops are refused as unknown, whatever the id.
    refused(message(0x1f, 0), /unknown op 0x1f/);
  });
});

describe('RAM protocol: error replies', () => {
  test('text of exactly 512 bytes is accepted; 513 bytes is refused', () => {
    const ok = decodePeerMessage(errorReply(Op.LOAD, 9, Buffer.alloc(MAX_ERROR_TEXT_BYTES, 'a')));
    assert.equal(ok.kind === 'reply' && !ok.reply.ok && ok.reply.message.length, MAX_ERROR_TEXT_BYTES);
    refused(errorReply(Op.LOAD, 9, Buffer.alloc(MAX_ERROR_TEXT_BYTES + 1, 'a')), /exceeds 512/);
  });

  test('text that is not UTF-8 is refused (truncated sequence, lone continuation, overlong, surrogate)', () => {
    for (const bad of [Buffer.of(0xe2, 0x82), Buffer.of(0x80), Buffer.of(0xc0, 0xaf), Buffer.of(0xed, 0xa0, 0x80)]) {
      refused(errorReply(Op.STORE, 3, Buffer.concat([Buffer.from('no room '), bad])), /not valid UTF-8/);
    }
  });

  test('C0 controls, DEL and C1 controls become spaces; other text is kept as sent', () => {
    const text = 'red\u001b[31m bell\u0007 nl\n cr\r del\u007f nel\u0085 csi\u009b ok é 日本 \u202e';
    const r = decodePeerMessage(errorReply(Op.LOAD, 4, Buffer.from(text, 'utf8')));
    assert.ok(r.kind === 'reply' && !r.reply.ok);
    if (r.kind !== 'reply' || r.reply.ok) return;
    assert.equal(r.reply.message, 'red [31m bell  nl  cr  del  nel  csi  ok é 日本 \u202e');
    assert.equal(r.reply.code, ErrorCodes.NOT_FOUND);
    assert.ok(!/[\u0000-\u001f\u007f-\u009f]/.test(r.reply.message));
  });

  test('unknown status values read as INTERNAL; an empty text is fine', () => {
    const r = decodePeerMessage(errorReply(Op.FREE, 5, Buffer.alloc(0), 0x42));
    assert.ok(r.kind === 'reply' && !r.reply.ok && r.reply.code === ErrorCodes.INTERNAL && r.reply.message === '');
  });

  test('our own error replies always decode: long and multi-byte text is cut on a character boundary', () => {
    for (const text of ['x'.repeat(2000), 'é'.repeat(400), '日本'.repeat(200), '😀'.repeat(300), 'tab\there\nnewline']) {
      const wire = encodeError(Op.LOAD, 11, new MemCloudError(ErrorCodes.NOT_FOUND, text));
      assert.ok(wire.length - 6 <= MAX_ERROR_TEXT_BYTES, `${wire.length - 6} bytes`);
      const r = decodePeerMessage(wire);
      assert.ok(r.kind === 'reply' && !r.reply.ok);
      if (r.kind === 'reply' && !r.reply.ok) {
        assert.ok(text.replace(/[\t\n]/g, ' ').startsWith(r.reply.message));
        assert.ok(r.reply.message.length > 0);
      }
    }
  });
});
