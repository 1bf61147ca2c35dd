import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isMemCloudError } from '../../../engine/errors';
import { formatSize, parseSize } from '../../../engine/store/sizes';

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;

describe('parseSize', () => {
  test('reads plain counts and k/m/g/t units, every unit 1024-based', () => {
    const table: Array<[string | number, number]> = [
      ['1024', 1024], ['0', 0], ['1024b', 1024], ['1024 B', 1024], ['64k', 64 * KiB], ['64K', 64 * KiB],
      ['64kb', 64 * KiB], ['64KiB', 64 * KiB], ['512mb', 512 * MiB], ['512MB', 512 * MiB], ['512 MiB', 512 * MiB],
      ['4gb', 4 * GiB], ['1.5GiB', 1.5 * GiB], ['1.5 gib', 1.5 * GiB], ['2t', 2 * 1024 * GiB], ['.5k', 512],
      ['  8m  ', 8 * MiB], ['1.3k', 1331], [4096, 4096], [0, 0],
    ];
    for (const [input, bytes] of table) assert.equal(parseSize(input), bytes, `parseSize(${JSON.stringify(input)})`);
  });

  test('refuses junk, negatives, fractions of a byte and overflow with BAD_ARGUMENT', () => {
    const table: Array<[string | number, RegExp]> = [
      ['', /expected a number/], ['abc', /expected a number/], ['12xb', /expected a number/], ['1e3', /expected a number/],
      ['1,024', /expected a number/], ['ib', /expected a number/], ['5ib', /expected a number/], ['1..5k', /expected a number/],
      ['k', /expected a number/], ['4 g b', /expected a number/], ['-1', /negative/], ['-5mb', /negative/],
      ['1.5', /whole number/], ['8192t', /too large/], ['99999999999999999', /too large/],
      [-1, /whole number/], [1.5, /whole number/], [Number.NaN, /whole number/], [2 ** 60, /whole number/],
    ];
    for (const [input, message] of table) {
      assert.throws(() => parseSize(input), (err) => isMemCloudError(err, 'BAD_ARGUMENT') && message.test(err.message), `parseSize(${JSON.stringify(input)})`);
    }
    assert.throws(() => parseSize(null as unknown as string), (err) => isMemCloudError(err, 'BAD_ARGUMENT'));
  });

  test('accepts the largest safe integer and round-trips formatSize output coarsely', () => {
    assert.equal(parseSize(String(Number.MAX_SAFE_INTEGER)), Number.MAX_SAFE_INTEGER);
    for (const bytes of [0, 512, 12 * KiB, 512 * MiB, 1.5 * GiB]) assert.equal(parseSize(formatSize(bytes)), bytes);
  });
});

describe('formatSize', () => {
  test('uses binary units and at most 3 significant digits', () => {
    const table: Array<[number, string]> = [
      [0, '0 B'], [1, '1 B'], [512, '512 B'], [999, '999 B'], [1000, '0.977 KiB'], [1023, '0.999 KiB'], [1024, '1 KiB'],
      [1536, '1.5 KiB'], [12 * KiB, '12 KiB'], [12.34 * KiB, '12.3 KiB'], [123.4 * KiB, '123 KiB'], [1023.9 * KiB, '1 MiB'],
      [512 * MiB, '512 MiB'], [1.5 * GiB, '1.5 GiB'], [1536 * MiB, '1.5 GiB'], [3 * 1024 * GiB, '3 TiB'],
      [Number.MAX_SAFE_INTEGER, '8 PiB'], [-2048, '-2 KiB'],
    ];
    for (const [bytes, text] of table) assert.equal(formatSize(bytes), text, `formatSize(${bytes})`);
  });

  test('never shows more than 3 significant digits across a sweep', () => {
    for (let bytes = 1000; bytes < 2 ** 50; bytes = Math.floor(bytes * 1.37) + 7) {
      const digits = formatSize(bytes).split(' ')[0]!.replace(/^0\.|\./, '').replace(/^0+/, '');
      assert.ok(digits.length <= 3, `${bytes} -> ${formatSize(bytes)}`);
    }
  });
});
