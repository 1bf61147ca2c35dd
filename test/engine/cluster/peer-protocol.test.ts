// The RAM-protocol codec (docs/protocol.md section 7) is exact: the bytes of every message, ids,
// notice ids, error text, and every truncated or overlong message is refused.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCodes, MemCloudError, isMemCloudError } from '../../../engine/errors';
import {
  MAX_ERROR_TEXT_BYTES,
  Op,
  decodePeerMessage,
  encodeError,
  encodeEvicted,
  encodeFree,
  encodeFreeReply,
  encodeLeaving,
  encodeList,
  encodeListReply,
  encodeLoad,
  encodeLoadReply,
  encodeOk,
  encodeQuota,
  encodeStat,
  encodeStatReply,
  encodeStore,
  encodeTeamRevocations,
  type PeerMessage,
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

const B1 = BLOCK;
const B2 = 'ffeeddccbbaa99887766554433221100';
const join = (parts: readonly Uint8Array[]) => Buffer.concat(parts);

/** Every message kind, with its bytes as section 7 lays them out (hex), and what it decodes to. */
const messages: ReadonlyArray<{ name: string; bytes: Buffer; hex: string; decoded: PeerMessage; fixed: boolean }> = [
  { name: 'STORE', bytes: join(encodeStore(7, B1, 1, Buffer.from('data'))), hex: '010000000700112233445566778899aabbccddeeff0164617461', fixed: false,
    decoded: { kind: 'request', request: { op: Op.STORE, id: 7, block: B1, durability: 1, data: Buffer.from('data') } } },
  { name: 'LOAD', bytes: encodeLoad(0xfffffffe, B1), hex: '02fffffffe00112233445566778899aabbccddeeff', fixed: true,
    decoded: { kind: 'request', request: { op: Op.LOAD, id: 0xfffffffe, block: B1 } } },
  { name: 'FREE', bytes: encodeFree(3, [B1, B2]), hex: '0300000003000200112233445566778899aabbccddeeffffeeddccbbaa99887766554433221100', fixed: true,
    decoded: { kind: 'request', request: { op: Op.FREE, id: 3, blocks: [B1, B2] } } },
  { name: 'STAT', bytes: encodeStat(4), hex: '0400000004', fixed: true, decoded: { kind: 'request', request: { op: Op.STAT, id: 4 } } },
  { name: 'LIST', bytes: encodeList(5, 4096, 100), hex: '0500000005000010000064', fixed: true,
    decoded: { kind: 'request', request: { op: Op.LIST, id: 5, cursor: 4096, limit: 100 } } },
  { name: 'LEAVING', bytes: encodeLeaving(), hex: '1000000000', fixed: true, decoded: { kind: 'notice', notice: { op: Op.LEAVING } } },
  { name: 'EVICTED', bytes: encodeEvicted([B2]), hex: '11000000000001ffeeddccbbaa99887766554433221100', fixed: true,
    decoded: { kind: 'notice', notice: { op: Op.EVICTED, blocks: [B2] } } },
  { name: 'QUOTA', bytes: encodeQuota(2 ** 53 - 1), hex: '1200000000001fffffffffffff', fixed: true,
    decoded: { kind: 'notice', notice: { op: Op.QUOTA, allowedBytes: 2 ** 53 - 1 } } },
  { name: 'TEAM_REVOCATIONS', bytes: encodeTeamRevocations(Buffer.from('list')), hex: '13000000006c697374', fixed: false,
    decoded: { kind: 'notice', notice: { op: Op.TEAM_REVOCATIONS, list: new Uint8Array(Buffer.from('list')) } } },
  { name: 'error reply', bytes: encodeError(Op.LOAD, 9, new MemCloudError(ErrorCodes.NOT_FOUND, 'no such block')), hex: '8200000009016e6f207375636820626c6f636b', fixed: false,
    decoded: { kind: 'reply', reply: { op: Op.LOAD, id: 9, ok: false, code: ErrorCodes.NOT_FOUND, message: 'no such block' } } },
  { name: 'STORE reply', bytes: encodeOk(Op.STORE, 7), hex: '810000000700', fixed: true, decoded: { kind: 'reply', reply: { op: Op.STORE, id: 7, ok: true } } },
  { name: 'LOAD reply', bytes: join(encodeLoadReply(8, Buffer.from('xyz'))), hex: '82000000080078797a', fixed: false,
    decoded: { kind: 'reply', reply: { op: Op.LOAD, id: 8, ok: true, data: Buffer.from('xyz') } } },
  { name: 'FREE reply', bytes: encodeFreeReply(3, 2), hex: '83000000030000000002', fixed: true, decoded: { kind: 'reply', reply: { op: Op.FREE, id: 3, ok: true, freed: 2 } } },
  { name: 'STAT reply', bytes: encodeStatReply(4, { allowedBytes: 1, usedBytes: 2 ** 40, availableBytes: 3 }), hex: '840000000400000000000000000100000100000000000000000000000003', fixed: true,
    decoded: { kind: 'reply', reply: { op: Op.STAT, id: 4, ok: true, stat: { allowedBytes: 1, usedBytes: 2 ** 40, availableBytes: 3 } } } },
  { name: 'LIST reply', bytes: encodeListReply(5, 0, [B1, B2]), hex: '85000000050000000000000200112233445566778899aabbccddeeffffeeddccbbaa99887766554433221100', fixed: true,
    decoded: { kind: 'reply', reply: { op: Op.LIST, id: 5, ok: true, next: 0, blocks: [B1, B2] } } },
];

/** Decoded messages with byte fields as plain arrays, so views and copies compare equal. */
const plain = (m: PeerMessage): unknown => JSON.parse(JSON.stringify(m, (_k, v: unknown) => (v instanceof Uint8Array ? [...v] : v)));

describe('RAM protocol: codec', () => {
  test('every message has exactly the bytes of section 7 and decodes back to what was encoded', () => {
    for (const m of messages) {
      assert.equal(m.bytes.toString('hex'), m.hex, m.name);
      assert.deepEqual(plain(decodePeerMessage(Buffer.from(m.hex, 'hex'))), plain(m.decoded), m.name);
    }
  });

  test('every truncation of a message is refused, except where the spec lets its last field be shorter', () => {
    for (const m of messages) {
      for (let cut = 0; cut < m.bytes.length; cut++) {
        const b = Buffer.from(m.bytes.subarray(0, cut));
        if (m.fixed || cut < m.bytes.length - (m.name === 'STORE' ? 4 : m.name === 'TEAM_REVOCATIONS' ? 4 : m.name === 'LOAD reply' ? 3 : 13)) {
          assert.throws(() => decodePeerMessage(b), (e) => isMemCloudError(e, 'FRAME_MALFORMED'), `${m.name} cut to ${cut} bytes`);
        } else {
          assert.doesNotThrow(() => decodePeerMessage(b), `${m.name} cut to ${cut} bytes: a shorter last field`);
        }
      }
    }
  });

  test('a byte too many is refused on every fixed-size message', () => {
    for (const m of messages.filter((x) => x.fixed)) refused(join([m.bytes, Buffer.of(0)]), /trailing|id list length/);
  });

  test('an id count the message cannot hold is refused; counts above the LIST page limit too', () => {
    refused(message(Op.FREE, 3, Buffer.of(0xff, 0xff)), /id list length/);
    refused(message(Op.EVICTED, 0, Buffer.concat([Buffer.of(0, 2), Buffer.from(B1, 'hex')])), /id list length/);
    refused(message(0x80 | Op.LIST, 5, Buffer.from('00' + '00000000' + '1001', 'hex')), /4097 ids \(at most 4096\)/);
    refused(message(Op.QUOTA, 0, Buffer.from('0020000000000000', 'hex')), /out of range/);
    refused(message(Op.STORE, 1, Buffer.concat([Buffer.from(B1, 'hex'), Buffer.of(2)])), /bad durability/);
  });

  test('our own bad arguments are BAD_ARGUMENT: a block id that is not 32 hex digits, a size that is not a u64', () => {
    for (const bad of [B1.slice(2), `${B1}00`, `zz${B1.slice(2)}`]) {
      assert.throws(() => encodeLoad(1, bad), (e) => isMemCloudError(e, 'BAD_ARGUMENT'), bad);
    }
    assert.throws(() => encodeQuota(-1), (e) => isMemCloudError(e, 'BAD_ARGUMENT'));
    assert.throws(() => encodeQuota(2 ** 53), (e) => isMemCloudError(e, 'BAD_ARGUMENT'));
  });
});
