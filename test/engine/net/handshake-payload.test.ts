// The identity payload of handshake messages 2 and 3 (docs/protocol.md sections 3.3 and 3.4):
// round trips at the edges of every field, and every malformed variant refused.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isMemCloudError } from '../../../engine/errors';
import { MAX_NAME_BYTES, decodePayload, encodePayload, signatureMessage, validateDeviceName, type HandshakePayload } from '../../../engine/net/handshake-payload';

const malformed = (e: unknown) => isMemCloudError(e, 'FRAME_MALFORMED');

const base: HandshakePayload = {
  protocolVersion: 1,
  identityKey: Uint8Array.from({ length: 32 }, (_, i) => i + 1),
  signature: Uint8Array.from({ length: 64 }, (_, i) => 200 - i),
  offeredBytes: 8 * 1024 ** 3,
  name: 'laptop',
};

const bytes = (p: Partial<HandshakePayload> = {}) => Buffer.from(encodePayload({ ...base, ...p }));

function roundTrip(p: HandshakePayload): void {
  const decoded = decodePayload(encodePayload(p));
  assert.equal(decoded.protocolVersion, p.protocolVersion);
  assert.deepEqual(Buffer.from(decoded.identityKey), Buffer.from(p.identityKey));
  assert.deepEqual(Buffer.from(decoded.signature), Buffer.from(p.signature));
  assert.equal(decoded.offeredBytes, p.offeredBytes);
  assert.equal(decoded.name, p.name);
}

describe('identity payload codec', () => {
  test('layout: format 01, version 0001, key, signature, u64 offer, name length, name (108 + N bytes)', () => {
    const b = bytes();
    assert.equal(b.length, 108 + 6);
    assert.equal(b[0], 1);
    assert.equal(b.readUInt16BE(1), 1);
    assert.deepEqual(b.subarray(3, 35), Buffer.from(base.identityKey));
    assert.deepEqual(b.subarray(35, 99), Buffer.from(base.signature));
    assert.equal(b.readBigUInt64BE(99), 8n * 1024n ** 3n);
    assert.equal(b[107], 6);
    assert.equal(b.subarray(108).toString(), 'laptop');
  });

  test('round trips at the edges: offers 0 and 2^53-1, names of 1 and 64 bytes, multi-byte UTF-8', () => {
    for (const offeredBytes of [0, 1, Number.MAX_SAFE_INTEGER]) roundTrip({ ...base, offeredBytes });
    for (const name of ['x', 'n'.repeat(MAX_NAME_BYTES), 'Ünïcødé 机器 🖥', 'é'.repeat(32), 'in ner  spaces']) roundTrip({ ...base, name });
  });

  test('every truncation and one extra byte are malformed', () => {
    const b = bytes();
    for (let n = 0; n < b.length; n++) assert.throws(() => decodePayload(b.subarray(0, n)), malformed, `${n} bytes`);
    assert.throws(() => decodePayload(Buffer.concat([b, Buffer.from([0x41])])), malformed);
  });

  test('unknown format, other protocol versions, offers beyond 2^53-1 are malformed', () => {
    for (const format of [0, 2, 255]) {
      const b = bytes();
      b[0] = format;
      assert.throws(() => decodePayload(b), malformed, `format ${format}`);
    }
    for (const version of [0, 2, 0x0100, 0xffff]) {
      const b = bytes();
      b.writeUInt16BE(version, 1);
      assert.throws(() => decodePayload(b), malformed, `version ${version}`);
    }
    for (const offer of [2n ** 53n, 2n ** 64n - 1n]) {
      const b = bytes();
      b.writeBigUInt64BE(offer, 99);
      assert.throws(() => decodePayload(b), malformed, `offer ${offer}`);
    }
  });

  test('name length 0, 65, or not matching the bytes present is malformed', () => {
    const empty = Buffer.concat([bytes().subarray(0, 107), Buffer.from([0])]);
    assert.throws(() => decodePayload(empty), malformed);
    const long = Buffer.concat([bytes().subarray(0, 107), Buffer.from([65]), Buffer.alloc(65, 0x61)]);
    assert.throws(() => decodePayload(long), malformed);
    for (const claimed of [5, 7, 255]) {
      const b = bytes();
      b[107] = claimed;
      assert.throws(() => decodePayload(b), malformed, `claims ${claimed}`);
    }
  });

  test('invalid UTF-8, control characters and surrounding spaces in the name are malformed', () => {
    const withName = (name: Buffer) => Buffer.concat([bytes().subarray(0, 107), Buffer.from([name.length]), name]);
    const bad = [
      Buffer.from([0xff]),
      Buffer.from([0xc0, 0xaf]), // overlong '/'
      Buffer.from([0xed, 0xa0, 0x80]), // a lone surrogate
      Buffer.from([0x61, 0xe2, 0x82]), // cut mid-character
      Buffer.from('a\nb'),
      Buffer.from('a\u0000b'),
      Buffer.from('del\u007f'),
      Buffer.from(' lead'),
      Buffer.from('trail '),
      Buffer.from('\ttab'),
    ];
    for (const name of bad) assert.throws(() => decodePayload(withName(name)), malformed, name.toString('hex'));
  });

  test('the encoder refuses what the decoder would refuse', () => {
    for (const name of ['', ' x', 'x ', 'a\nb', 'n'.repeat(65), 'é'.repeat(33)]) {
      assert.throws(() => encodePayload({ ...base, name }), (e) => isMemCloudError(e, 'BAD_ARGUMENT'), JSON.stringify(name));
    }
    assert.throws(() => encodePayload({ ...base, identityKey: new Uint8Array(31) }));
    assert.throws(() => encodePayload({ ...base, signature: new Uint8Array(63) }));
    for (const offeredBytes of [-1, 0.5, 2 ** 53]) assert.throws(() => encodePayload({ ...base, offeredBytes }));
    assert.equal(validateDeviceName('ok name'), 'ok name');
  });

  test('decoded keys and signatures are copies, not views into the message', () => {
    const b = bytes();
    const p = decodePayload(b);
    b.fill(0);
    assert.deepEqual(Buffer.from(p.identityKey), Buffer.from(base.identityKey));
    assert.deepEqual(Buffer.from(p.signature), Buffer.from(base.signature));
  });
});

describe('signed message', () => {
  test('"memcloud/v1/handshake-signature" || 00 || role || h: 65 bytes, role 01 initiator, 02 responder', () => {
    const h = Buffer.alloc(32, 0xab);
    const i = Buffer.from(signatureMessage('initiator', h));
    const r = Buffer.from(signatureMessage('responder', h));
    assert.equal(i.length, 65);
    assert.equal(i.subarray(0, 31).toString('ascii'), 'memcloud/v1/handshake-signature');
    assert.deepEqual([i[31], i[32], r[31], r[32]], [0, 1, 0, 2]);
    assert.deepEqual(i.subarray(33), h);
    assert.deepEqual(i.subarray(0, 32), r.subarray(0, 32));
  });
});
