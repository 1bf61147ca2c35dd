// The one length-prefixed decoder (engine/wire/length-prefixed.ts), on its own: any chunking gives
// the same units, lengths and headers are refused before anything is allocated, new limits apply to
// the very next header, bodies are views or owned memory, a failure latches, and a body can be
// filled in place through bodyRoom.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { LengthPrefixedDecoder, type UnitSink } from '../../../engine/wire/length-prefixed';
import { allocationsDuring } from '../../support/attacks/alloc-spy';

import { failsWith } from '../../support/errors';

/** A control-like layout: length:u32 || tag:u8 || seq:u32 || body (length counts 5 + body). */
const layout = { unit: 'test unit', headerLength: 9 } as const;

interface Unit {
  tag: number;
  seq: number;
  body: Buffer;
  owned: boolean;
}

function encode(tag: number, seq: number, body: Buffer): Buffer {
  const h = Buffer.alloc(9);
  h.writeUInt32BE(5 + body.length, 0);
  h[4] = tag;
  h.writeUInt32BE(seq, 5);
  return Buffer.concat([h, body]);
}

function collect(out: Unit[]): UnitSink {
  return (h, at, body, owned) => out.push({ tag: h[at + 4]!, seq: h.readUInt32BE(at + 5), body: Buffer.from(body), owned });
}

const units: Array<[number, number, Buffer]> = [
  [1, 7, Buffer.from('first body')],
  [2, 8, Buffer.alloc(0)],
  [3, 0xffffffff, Buffer.alloc(700, 0x5a)],
  [4, 9, Buffer.from([1])],
];
const stream = Buffer.concat(units.map(([t, s, b]) => encode(t, s, b)));
const expected = units.map(([tag, seq, body]) => ({ tag, seq, body }));

function decode(chunks: readonly Buffer[], maxBody = 1000): Unit[] {
  const d = new LengthPrefixedDecoder(layout, maxBody);
  const out: Unit[] = [];
  for (const c of chunks) d.push(c, collect(out));
  assert.ok(d.idle, 'nothing left half-decoded');
  return out;
}

const strip = (us: Unit[]) => us.map(({ tag, seq, body }) => ({ tag, seq, body }));

describe('LengthPrefixedDecoder', () => {
  test('one chunk, every two-way split and byte by byte all give the same units in order', () => {
    assert.deepEqual(strip(decode([stream])), expected);
    for (let cut = 1; cut < stream.length; cut++) {
      assert.deepEqual(strip(decode([stream.subarray(0, cut), stream.subarray(cut)])), expected, `cut at ${cut}`);
    }
    assert.deepEqual(strip(decode([...stream].map((b) => Buffer.of(b)))), expected);
  });

  test('a body whole inside its chunk is a view (owned false); one spanning chunks is its own memory (owned true)', () => {
    const whole = decode([stream]);
    assert.deepEqual(whole.map((u) => u.owned), [false, false, false, false]);
    const split = decode([stream.subarray(0, 30), stream.subarray(30)]); // cuts the third unit's body
    assert.deepEqual(split.map((u) => u.owned), [false, false, true, false]);
    const d = new LengthPrefixedDecoder(layout, 1000);
    let body: Buffer | null = null;
    d.push(stream, (_h, _at, b) => (body ??= b));
    assert.equal(body!.buffer, stream.buffer, 'a view into the chunk, not a copy');
  });

  test('lendAssembly: units spanning chunks come in one reused buffer (owned false), right for every split', () => {
    for (let cut = 1; cut < stream.length; cut++) {
      const d = new LengthPrefixedDecoder(layout, 1000);
      d.lendAssembly = true;
      const out: Unit[] = [];
      d.push(stream.subarray(0, cut), collect(out));
      d.push(stream.subarray(cut), collect(out));
      assert.deepEqual(strip(out), expected, `cut at ${cut}`);
      assert.ok(out.every((u) => !u.owned), `cut at ${cut}: nothing owned while lending`);
    }
    // Two large units, each cut in two: the second is assembled where the first was.
    const big = Buffer.concat([encode(1, 1, Buffer.alloc(600, 1)), encode(2, 2, Buffer.alloc(500, 2))]);
    const d = new LengthPrefixedDecoder(layout, 1000);
    d.lendAssembly = true;
    const lent: Buffer[] = [];
    const firstBytes: number[] = [];
    for (const c of [big.subarray(0, 100), big.subarray(100, 700), big.subarray(700)]) {
      d.push(c, (_h, _at, b, owned) => {
        assert.equal(owned, false);
        lent.push(b);
        firstBytes.push(b[0]!);
      });
    }
    assert.deepEqual(firstBytes, [1, 2]);
    assert.equal(lent[0]!.buffer, lent[1]!.buffer, 'one buffer lent for both');
    assert.equal(lent[0]![0], 2, 'the first lent body was overwritten: valid during its call only');
  });

  test('lendAssembly turned off while a unit is being assembled: that unit arrives as its own copy', () => {
    const bytes = Buffer.concat([encode(1, 1, Buffer.alloc(600, 7)), encode(2, 2, Buffer.alloc(300, 8))]);
    const d = new LengthPrefixedDecoder(layout, 1000);
    d.lendAssembly = true;
    const out: Unit[] = [];
    const kept: Buffer[] = [];
    const sink: UnitSink = (h, at, b, owned) => {
      kept.push(b);
      collect(out)(h, at, b, owned);
    };
    d.push(bytes.subarray(0, 200), sink);
    d.lendAssembly = false;
    d.push(bytes.subarray(200, 700), sink);
    d.push(bytes.subarray(700), sink);
    assert.deepEqual(out.map((u) => u.owned), [true, true]);
    assert.deepEqual(strip(out), [
      { tag: 1, seq: 1, body: Buffer.alloc(600, 7) },
      { tag: 2, seq: 2, body: Buffer.alloc(300, 8) },
    ]);
    assert.notEqual(kept[0]!.buffer, kept[1]!.buffer);
    assert.deepEqual(kept[0], Buffer.alloc(600, 7), 'still intact after the next unit');
  });

  test('a length over the limit is refused on its 4th byte, before anything is allocated', async () => {
    const d = new LengthPrefixedDecoder(layout, 1000);
    const over = Buffer.alloc(4);
    over.writeUInt32BE(5 + 1001, 0);
    d.push(over.subarray(0, 3), () => assert.fail('no unit'));
    const sizes = await allocationsDuring(() => assert.throws(() => d.push(over.subarray(3), () => assert.fail('no unit')), failsWith('FRAME_TOO_LARGE')));
    assert.deepEqual(sizes, []);
    const huge = Buffer.from([0xff, 0xff, 0xff, 0xff, 1, 0, 0, 0, 0]);
    const fresh = new LengthPrefixedDecoder(layout, 1000);
    const sizes2 = await allocationsDuring(() => assert.throws(() => fresh.push(huge, () => undefined), failsWith('FRAME_TOO_LARGE')));
    assert.deepEqual(sizes2, []);
  });

  test('a length shorter than the rest of the header is malformed, in both paths', () => {
    const short = Buffer.from([0, 0, 0, 4, 1, 0, 0, 0, 0]);
    assert.throws(() => new LengthPrefixedDecoder(layout, 1000).push(short, () => undefined), failsWith('FRAME_MALFORMED'));
    const d = new LengthPrefixedDecoder(layout, 1000);
    assert.throws(() => d.push(short.subarray(0, 4), () => undefined), failsWith('FRAME_MALFORMED'));
  });

  test('the header check runs before the body is allocated, and its refusal stops decoding', async () => {
    const d = new LengthPrefixedDecoder(layout, 1000, (h, at) => {
      if (h[at + 4] === 3) throw new Error('tag 3 refused');
    });
    const seen: number[] = [];
    const sizes = await allocationsDuring(() => assert.throws(() => d.push(stream, (h, at) => seen.push(h[at + 4]!)), /tag 3 refused/));
    assert.deepEqual(seen, [1, 2]);
    assert.ok(!sizes.some((n) => n >= 700), 'the 700-byte body was never allocated');
  });

  test('after a failure every later push is refused', () => {
    const d = new LengthPrefixedDecoder(layout, 1000);
    assert.throws(() => d.push(Buffer.from([0, 0, 0, 1]), () => undefined), failsWith('FRAME_MALFORMED'));
    assert.throws(() => d.push(stream, () => assert.fail('no unit after a failure')), failsWith('FRAME_MALFORMED'));
  });

  test('a limit lowered inside a unit callback applies to the next header of the same chunk', () => {
    const d = new LengthPrefixedDecoder(layout, 1000);
    const seen: number[] = [];
    assert.throws(
      () =>
        d.push(stream, (h, at) => {
          seen.push(h[at + 4]!);
          d.maxBody = 100; // the 700-byte third unit no longer fits
        }),
      failsWith('FRAME_TOO_LARGE'),
    );
    assert.deepEqual(seen, [1, 2]);
  });

  test('bodyRoom hands out the missing body bytes to fill in place; filling them delivers the unit', () => {
    const body = Buffer.alloc(700);
    for (let i = 0; i < body.length; i++) body[i] = i & 0xff;
    const bytes = encode(3, 42, body);
    const d = new LengthPrefixedDecoder(layout, 1000);
    const out: Unit[] = [];
    assert.equal(d.bodyRoom(1), null, 'no body is being assembled');
    d.push(bytes.subarray(0, 9 + 100), collect(out));
    assert.equal(d.bodyRoom(601), null, 'more than the body misses');
    const room = d.bodyRoom(500)!;
    assert.equal(room.length, 500);
    body.copy(room, 0, 100, 600);
    d.bodyFilled(500, collect(out));
    assert.equal(out.length, 0);
    d.bodyRoom(100)!.set(body.subarray(600));
    d.bodyFilled(100, collect(out));
    assert.deepEqual(strip(out), [{ tag: 3, seq: 42, body }]);
    assert.equal(out[0]!.owned, true);
    assert.ok(d.idle);
  });
});
