// A build-cache entry's header (engine/buildcache/entry-format.ts) byte for byte: magic "MCB1" ||
// meta length u16 || meta JSON; read back exactly; every truncated, oversized or malformed header
// refused with an EntryFormatError, the meta length checked before the meta is read.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ENTRY_PREFIX_BYTES, EntryFormatError, MAX_META_BYTES, decodeEntryHeader, encodeEntryHeader } from '../../../engine/buildcache/entry-format';

const headers = { 'content-type': 'application/octet-stream', 'x-artifact-duration': '12' };
const HEADER_HEX =
  '4d434231004c7b2268223a7b22636f6e74656e742d74797065223a226170706c69636174696f6e2f6f637465742d73747265616d222c22782d61727469666163742d6475726174696f6e223a223132227d7d';

const refused = (bytes: Uint8Array, why: RegExp, label: string) =>
  assert.throws(() => decodeEntryHeader(bytes), (e) => e instanceof EntryFormatError && why.test(e.message), label);

function entry(meta: string | Buffer, payload = Buffer.alloc(0)): Buffer {
  const m = Buffer.isBuffer(meta) ? meta : Buffer.from(meta, 'utf8');
  const length = Buffer.alloc(2);
  length.writeUInt16BE(m.length);
  return Buffer.concat([Buffer.from('MCB1'), length, m, payload]);
}

describe('build-cache entry header', () => {
  test('has the documented layout and reads back, the payload starting right after it', () => {
    const header = encodeEntryHeader(headers);
    assert.equal(header.toString('hex'), HEADER_HEX);
    const withPayload = Buffer.concat([header, Buffer.from('payload')]);
    const decoded = decodeEntryHeader(withPayload);
    assert.deepEqual(decoded.headers, headers);
    assert.equal(withPayload.subarray(decoded.length).toString(), 'payload');
    assert.equal(decoded.length, ENTRY_PREFIX_BYTES + 0x4c);
  });

  test('every truncation is refused: too short for the magic, or a truncated header', () => {
    const bytes = Buffer.from(HEADER_HEX, 'hex');
    for (let cut = 0; cut < bytes.length; cut++) {
      refused(bytes.subarray(0, cut), cut < ENTRY_PREFIX_BYTES ? /not a build-cache entry/ : /truncated entry header/, `cut to ${cut}`);
    }
  });

  test('another magic, a meta length over 8 KiB (before reading it), meta that is not UTF-8 JSON or holds bad headers', () => {
    refused(Buffer.concat([Buffer.from('MCB2'), Buffer.from(HEADER_HEX, 'hex').subarray(4)]), /not a build-cache entry/, 'magic');
    const long = Buffer.from('MCB1\0\0');
    long.writeUInt16BE(MAX_META_BYTES + 1, 4);
    refused(long, /truncated entry header/, 'meta length over the limit, with nothing behind it');
    refused(entry('{"h":{}}').subarray(0, 8), /truncated/, 'cut meta');
    refused(entry(Buffer.from('7b2268223a7b7d2c2278223a22ff227d', 'hex')), /not JSON/, 'not UTF-8');
    refused(entry('{"h":'), /not JSON/, 'not JSON');
    refused(entry('{"x":{}}'), /no headers object/, 'no h');
    refused(entry('{"h":[]}'), /no headers object/, 'h an array');
    refused(entry('{"h":{"Bad Name":"x"}}'), /invalid header/, 'bad name');
    refused(entry('{"h":{"x-a":"line\\r\\nsplit"}}'), /invalid header/, 'CRLF in a value');
    refused(entry('{"h":{"x-a":1}}'), /invalid header/, 'not a string');
  });

  test('headers that do not fit 8 KiB are not encoded', () => {
    assert.throws(() => encodeEntryHeader({ 'x-big': 'a'.repeat(MAX_META_BYTES) }), EntryFormatError);
  });
});
