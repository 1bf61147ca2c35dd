// The one binary reader/writer (engine/wire/bytes.ts): every read is bounds-checked and fails with
// a stable code (or the boundary's own error), strings are strict UTF-8, u64 stays a safe integer,
// and what the writer writes the reader reads back.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ByteReader, BytesError, BytesErrorCode, GrowableWriter, type BytesErrorCodeValue } from '../../../engine/wire/bytes';

const failsWith = (code: BytesErrorCodeValue) => (e: unknown) => e instanceof BytesError && e.code === code;

describe('ByteReader', () => {
  test('reads big-endian fields in order and must end where the input ends', () => {
    const r = new ByteReader(Buffer.from([1, 0, 2, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 4, 0x61, 0x62, 9]));
    assert.deepEqual([r.u8(), r.u16(), r.u32(), r.u64(), r.utf8(2)], [1, 2, 3, 4, 'ab']);
    assert.throws(() => r.end(), failsWith(BytesErrorCode.TRAILING));
    assert.equal(r.u8(), 9);
    r.end();
    assert.ok(r.atEnd);
  });

  test('every field type refuses to read past the end (TRUNCATED), and nothing moves', () => {
    for (const read of [(r: ByteReader) => r.u16(), (r) => r.u32(), (r) => r.u64(), (r) => r.f64(), (r) => r.view(2), (r) => r.copy(2), (r) => r.hex(2), (r) => r.utf8(2), (r) => r.str8(), (r) => r.str16()] as Array<(r: ByteReader) => unknown>) {
      const r = new ByteReader(Buffer.from([1]));
      assert.throws(() => read(r), failsWith(BytesErrorCode.TRUNCATED));
    }
    const r = new ByteReader(Buffer.from([0, 5, 0x61]));
    assert.throws(() => r.str16(), failsWith(BytesErrorCode.TRUNCATED), 'a string longer than what is left');
  });

  test('a u64 above 2^53 - 1 is OUT_OF_RANGE; 2^53 - 1 reads exactly', () => {
    const b = Buffer.alloc(8);
    b.writeBigUInt64BE(BigInt(Number.MAX_SAFE_INTEGER));
    assert.equal(new ByteReader(b).u64(), Number.MAX_SAFE_INTEGER);
    b.writeBigUInt64BE(BigInt(Number.MAX_SAFE_INTEGER) + 1n);
    assert.throws(() => new ByteReader(b).u64(), failsWith(BytesErrorCode.OUT_OF_RANGE));
  });

  test('strings are strict UTF-8 (NOT_UTF8), short ASCII and long multi-byte alike; a length over the maximum is TOO_LONG', () => {
    assert.throws(() => new ByteReader(Buffer.from([2, 0xc3, 0x28])).str8(), failsWith(BytesErrorCode.NOT_UTF8));
    const long = Buffer.concat([Buffer.from([0, 100]), Buffer.alloc(99, 0x61), Buffer.from([0xff])]);
    assert.throws(() => new ByteReader(long).str16(), failsWith(BytesErrorCode.NOT_UTF8));
    assert.equal(new ByteReader(Buffer.concat([Buffer.from([0, 6]), Buffer.from('héllo')])).str16(), 'héllo');
    assert.throws(() => new ByteReader(Buffer.from([0, 5, 0x61, 0x61, 0x61, 0x61, 0x61])).str16(4), failsWith(BytesErrorCode.TOO_LONG));
  });

  test('copy() is the caller\'s own memory; view() shares the input', () => {
    const input = Buffer.from([1, 2, 3, 4]);
    const r = new ByteReader(input);
    const copy = r.copy(2);
    const view = r.view(2);
    input.fill(0);
    assert.deepEqual([...copy], [1, 2]);
    assert.deepEqual([...view], [0, 0]);
    assert.equal(Object.getPrototypeOf(copy), Uint8Array.prototype);
  });

  test('a boundary gets its own error, told the stable code', () => {
    class Mine extends Error {}
    const codes: string[] = [];
    const r = new ByteReader(Buffer.from([1]), (code, message) => {
      codes.push(code);
      return new Mine(message);
    }, 'payload');
    assert.throws(() => r.u32(), (e: unknown) => e instanceof Mine && /truncated payload/.test(e.message));
    assert.deepEqual(codes, [BytesErrorCode.TRUNCATED]);
  });
});

describe('GrowableWriter', () => {
  test('what it writes the reader reads back, across growth', () => {
    const w = new GrowableWriter(4);
    const blob = Buffer.alloc(1000, 7);
    w.u8(255);
    w.u16(65535);
    w.u32(0xdeadbeef);
    w.u64(Number.MAX_SAFE_INTEGER);
    w.f64(-1.5);
    w.hex('00ff10', 3);
    w.str8('dé');
    w.str16('x'.repeat(300));
    w.bytes(blob);
    const at = w.skip(4);
    w.patchU32(at, 77);
    const r = new ByteReader(w.take());
    assert.deepEqual(
      [r.u8(), r.u16(), r.u32(), r.u64(), r.f64(), r.hex(3), r.str8(), r.str16()],
      [255, 65535, 0xdeadbeef, Number.MAX_SAFE_INTEGER, -1.5, '00ff10', 'dé', 'x'.repeat(300)],
    );
    assert.deepEqual(r.view(1000), blob);
    assert.equal(r.u32(), 77);
    r.end();
  });

  test('refuses what does not fit its field: long strings (TOO_LONG), unsafe u64 and bad hex (OUT_OF_RANGE)', () => {
    const w = new GrowableWriter();
    assert.throws(() => w.str8('a'.repeat(256)), failsWith(BytesErrorCode.TOO_LONG));
    assert.throws(() => w.str16('é'.repeat(40), 64), failsWith(BytesErrorCode.TOO_LONG), '80 bytes of UTF-8 from 40 characters');
    assert.throws(() => w.u64(-1), failsWith(BytesErrorCode.OUT_OF_RANGE));
    assert.throws(() => w.u64(2 ** 53), failsWith(BytesErrorCode.OUT_OF_RANGE));
    assert.throws(() => w.hex('zz', 1), failsWith(BytesErrorCode.OUT_OF_RANGE));
    assert.throws(() => w.hex('00', 2), failsWith(BytesErrorCode.OUT_OF_RANGE));
  });
});
