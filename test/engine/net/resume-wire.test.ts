// The resumption codecs (docs/protocol.md sections 13.2 and 13.4) byte for byte: the resume payload
// and the TICKET body have the spec's layout, decode back, and every truncated, overlong or
// out-of-range one is refused (FRAME_MALFORMED for the payload, ignored for a TICKET).

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isMemCloudError } from '../../../engine/errors';
import { decodeResumePayload, decodeTicket, encodeResumePayload, encodeTicket } from '../../../engine/net/resume-wire';

/** format 1 || offered bytes u64 || name length u8 || name (section 13.2). */
const PAYLOAD_HEX = '0100000002000000050b4c6162206465736b20c3a9';
const payload = { offeredBytes: 2 ** 33 + 5, name: 'Lab desk é' };
/** version 1 || ticket id (16) || lifetime u32 (section 13.4). */
const TICKET_HEX = '0100112233445566778899aabbccddeeff00015180';
const ticket = { id: new Uint8Array(Buffer.from('00112233445566778899aabbccddeeff', 'hex')), lifetimeS: 86400 };

const malformed = (bytes: Uint8Array, why: RegExp, label: string) =>
  assert.throws(() => decodeResumePayload(bytes), (e) => isMemCloudError(e, 'FRAME_MALFORMED') && why.test(e.message), label);

describe('resume payload (section 13.2)', () => {
  test('has the spec layout and decodes back', () => {
    assert.equal(Buffer.from(encodeResumePayload(payload)).toString('hex'), PAYLOAD_HEX);
    assert.deepEqual(decodeResumePayload(Buffer.from(PAYLOAD_HEX, 'hex')), payload);
  });

  test('every truncation and a byte too many are refused', () => {
    const bytes = Buffer.from(PAYLOAD_HEX, 'hex');
    for (let cut = 0; cut < bytes.length; cut++) malformed(bytes.subarray(0, cut), /resume payload/, `cut to ${cut}`);
    malformed(Buffer.concat([bytes, Buffer.of(0x41)]), /trailing/, 'one byte too many');
  });

  test('another format, a size over 2^53 - 1, an empty, non-UTF-8 or unacceptable name are refused', () => {
    const bytes = () => Buffer.from(PAYLOAD_HEX, 'hex');
    const format2 = bytes();
    format2[0] = 2;
    malformed(format2, /bad format/, 'format 2');
    const huge = bytes();
    huge.writeBigUInt64BE(2n ** 53n, 1);
    malformed(huge, /out of range/, 'offered 2^53');
    malformed(Buffer.from('01' + '0000000000000001' + '00', 'hex'), /empty device name/, 'empty name');
    malformed(Buffer.from('01' + '0000000000000001' + '02' + 'c328', 'hex'), /not valid UTF-8/, 'bad UTF-8');
    malformed(Buffer.from('01' + '0000000000000001' + '03' + 'efbbbf', 'hex'), /invalid device name/, 'a name that is only a BOM');
  });

  test('our own names outside 1..64 bytes are not encoded', () => {
    assert.throws(() => encodeResumePayload({ offeredBytes: 0, name: '' }), /bad device name length/);
    assert.throws(() => encodeResumePayload({ offeredBytes: 0, name: 'é'.repeat(33) }), /bad device name length/);
    assert.equal(encodeResumePayload({ offeredBytes: 0, name: 'é'.repeat(32) }).length, 10 + 64);
  });
});

describe('TICKET body (section 13.4)', () => {
  test('has the spec layout and decodes back (the id is a copy)', () => {
    const body = Buffer.from(encodeTicket(ticket));
    assert.equal(body.toString('hex'), TICKET_HEX);
    const decoded = decodeTicket(body)!;
    assert.deepEqual({ id: [...decoded.id], lifetimeS: decoded.lifetimeS }, { id: [...ticket.id], lifetimeS: ticket.lifetimeS });
    body.fill(0);
    assert.deepEqual([...decoded.id], [...ticket.id], 'not a view of the body');
  });

  test('every truncation, a byte too many, another version and a lifetime of 0 or over 24 h are ignored', () => {
    const bytes = Buffer.from(TICKET_HEX, 'hex');
    for (let cut = 0; cut < bytes.length; cut++) assert.equal(decodeTicket(bytes.subarray(0, cut)), null, `cut to ${cut}`);
    assert.equal(decodeTicket(Buffer.concat([bytes, Buffer.of(0)])), null);
    const lifetime = (s: number) => Buffer.concat([bytes.subarray(0, 17), Buffer.from(s.toString(16).padStart(8, '0'), 'hex')]);
    assert.equal(decodeTicket(lifetime(0)), null);
    assert.equal(decodeTicket(lifetime(86401)), null);
    assert.equal(decodeTicket(lifetime(1))!.lifetimeS, 1);
  });

  test('an id of another length is not encoded', () => {
    assert.throws(() => encodeTicket({ id: new Uint8Array(15), lifetimeS: 60 }), RangeError);
  });
});
