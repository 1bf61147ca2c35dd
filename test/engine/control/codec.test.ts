import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BodyReader, FormatError } from '../../../engine/control/body-reader';
import { pooledCopier, shareView } from '../../../engine/control/byte-copies';
import { FrameDecoder } from '../../../engine/control/frame-decoder';
import { FrameWriter } from '../../../engine/control/frame-writer';
import { decodeClientFrame, decodeServerFrame, writeRequest, writeResult } from '../../../engine/control/messages';
import { FrameKind, MAX_BODY, MAX_STRING, OpCodes, opByCode, type OpName } from '../../../engine/control/protocol';
import { opCodecs } from '../../../engine/control/op-codecs';
import { MAX_VALUE_BYTES } from '../../../engine/data/data-input';
import { isMemCloudError } from '../../../engine/errors';

/** Everything a writer flushes, as one buffer (flushed by hand: no socket, no tick). */
function capture(): { w: FrameWriter; bytes: () => Buffer } {
  const out: Uint8Array[] = [];
  const w = new FrameWriter((chunks) => out.push(...chunks));
  return {
    w,
    bytes: () => {
      w.flush();
      return Buffer.concat(out);
    },
  };
}

function decodeAll(bytes: Buffer): { kind: number; op: number; id: number; body: Buffer; owned: boolean }[] {
  const frames: { kind: number; op: number; id: number; body: Buffer; owned: boolean }[] = [];
  new FrameDecoder().push(bytes, (kind, op, id, body, owned) => frames.push({ kind, op, id, body, owned }));
  return frames;
}

describe('op table', () => {
  test('codes are unique, and every code maps back to its op', () => {
    const codes = Object.values(OpCodes);
    assert.equal(new Set(codes).size, codes.length);
    for (const [name, code] of Object.entries(OpCodes)) assert.equal(opByCode(code), name);
    assert.equal(opByCode(0), undefined);
    assert.equal(opByCode(255), undefined);
    assert.deepEqual(Object.keys(opCodecs).sort(), Object.keys(OpCodes).sort());
  });
});

describe('request and result codecs', () => {
  test('binary requests decode to exactly what was encoded', () => {
    const { w, bytes } = capture();
    const value = Uint8Array.of(1, 2, 3);
    const cases: [OpName, unknown[]][] = [
      ['set', ['k', value]],
      ['set', ['ü', value, { durability: 'cache', replicas: 2, target: 'local', name: 'n' }]],
      ['store', [value]],
      ['store', [new Uint8Array(0), { target: 'auto' }]],
      ['get', ['key']],
      ['del', ['']],
      ['load', ['b1']],
      ['free', ['b1']],
      ['streamWrite', [7, value]],
      ['streamEnd', [0xffffffff]],
      ['openReadStream', ['s', 5]],
      ['keys', []],
    ];
    cases.forEach(([op, args], i) => writeRequest(w, i + 1, op, args as never));
    const frames = decodeAll(bytes());
    assert.equal(frames.length, cases.length);
    frames.forEach((f, i) => {
      const msg = decodeClientFrame(f.kind, f.op, f.id, f.body, f.owned);
      assert.equal(msg.kind, 'request');
      assert.deepEqual(msg, { kind: 'request', id: i + 1, op: cases[i]![0], args: cases[i]![1] });
    });
  });

  test('results round trip, with the pooled client copies', () => {
    const { w, bytes } = capture();
    const ref = { id: 'b1', size: 2 ** 40, replicas: [{ holder: 'local', holderName: 'n' }] };
    writeResult(w, 1, 'get', Uint8Array.of(9, 8));
    writeResult(w, 2, 'del', true);
    writeResult(w, 3, 'store', ref);
    writeResult(w, 4, 'keys', ['a', 'b']);
    writeResult(w, 5, 'set', undefined);
    const copy = pooledCopier();
    const got = decodeAll(bytes()).map((f) => decodeServerFrame(f.kind, f.op, f.id, f.body, f.owned, copy));
    assert.deepEqual(got, [
      { kind: 'result', id: 1, result: { op: 'get', value: Uint8Array.of(9, 8) } },
      { kind: 'result', id: 2, result: { op: 'del', value: true } },
      { kind: 'result', id: 3, result: { op: 'store', value: ref } },
      { kind: 'result', id: 4, result: { op: 'keys', value: ['a', 'b'] } },
      { kind: 'result', id: 5, result: { op: 'set', value: undefined } },
    ]);
  });

  test('a result that does not match its op fails that request with FRAME_MALFORMED', () => {
    const { w, bytes } = capture();
    w.frame(FrameKind.RESULT, OpCodes.del, 3, (fw) => fw.u8(7));
    w.frame(FrameKind.RESULT, OpCodes.status, 4, (fw) => fw.utf8('{"name":1}'));
    const [a, b] = decodeAll(bytes()).map((f) => decodeServerFrame(f.kind, f.op, f.id, f.body, f.owned, shareView));
    assert.equal(a!.kind, 'error');
    assert.ok(a!.kind === 'error' && isMemCloudError(a!.error, 'FRAME_MALFORMED'));
    assert.ok(b!.kind === 'error' && /result\.name: expected a string/.test(b!.error.message));
  });
});

describe('events', () => {
  test('known events decode; unknown or unreadable ones are skipped, not fatal', () => {
    const { w, bytes } = capture();
    w.frame(FrameKind.EVENT, 0, 0, (fw) => fw.utf8('{"type":"peers-changed"}'));
    w.frame(FrameKind.EVENT, 0, 0, (fw) => fw.utf8('{"type":"from-the-future","x":1}'));
    w.frame(FrameKind.EVENT, 0, 0, (fw) => fw.utf8('{"type":"log","entry":{"at":1}}'));
    w.frame(FrameKind.EVENT, 0, 0, (fw) => fw.utf8('{nope'));
    const got = decodeAll(bytes()).map((f) => decodeServerFrame(f.kind, f.op, f.id, f.body, f.owned, shareView).kind);
    assert.deepEqual(got, ['event', 'unknown-event', 'unknown-event', 'unknown-event']);
  });

  test('an unknown frame kind from the server is fatal', () => {
    assert.throws(() => decodeServerFrame(99, 0, 0, Buffer.alloc(0), true, shareView), { code: 'FRAME_MALFORMED' });
  });
});

describe('FrameWriter', () => {
  test('a frame that fails while encoding leaves no trace; the next frame is intact', () => {
    const { w, bytes } = capture();
    writeRequest(w, 1, 'get', ['before']);
    assert.throws(() => writeRequest(w, 2, 'set', ['k'.repeat(MAX_STRING + 1), Uint8Array.of(1)]), { code: 'BAD_ARGUMENT' });
    assert.throws(() => writeRequest(w, 3, 'set', ['k', new Uint8Array(MAX_VALUE_BYTES + 1)]), { code: 'BAD_ARGUMENT' });
    assert.throws(() => writeRequest(w, 3, 'streamWrite', [1, new Uint8Array(MAX_BODY)]), { code: 'FRAME_TOO_LARGE' });
    assert.throws(() =>
      w.frame(FrameKind.REQUEST, 1, 4, (fw) => {
        fw.bytes(new Uint8Array(100_000)); // referenced, not copied: a rollback must drop it too
        throw new Error('boom');
      }),
    );
    writeRequest(w, 5, 'get', ['after']);
    const frames = decodeAll(bytes());
    assert.deepEqual(
      frames.map((f) => [f.id, (decodeClientFrame(f.kind, f.op, f.id, f.body, f.owned) as { args: unknown[] }).args]),
      [
        [1, ['before']],
        [5, ['after']],
      ],
    );
  });

  test('frames of every size survive slab boundaries, large payloads by reference', () => {
    const { w, bytes } = capture();
    const sizes = [0, 1, 65_535, 65_536, 65_537, 200_000, 3, 70_000];
    sizes.forEach((n, i) => writeRequest(w, i + 1, 'streamWrite', [i, new Uint8Array(n).fill(i + 1)]));
    const frames = decodeAll(bytes());
    frames.forEach((f, i) => {
      const msg = decodeClientFrame(f.kind, f.op, f.id, f.body, f.owned) as { args: [number, Uint8Array] };
      assert.equal(msg.args[1].length, sizes[i]);
      assert.ok(msg.args[1].every((b) => b === i + 1));
    });
  });
});

describe('FrameDecoder', () => {
  test('any split of the input gives the same frames', () => {
    const { w, bytes } = capture();
    for (let i = 1; i <= 20; i++) writeRequest(w, i, 'set', [`key${i}`, new Uint8Array(i * 37).fill(i)]);
    const all = bytes();
    const whole = decodeAll(all).map((f) => [f.id, f.body.toString('hex')]);
    for (const step of [1, 2, 7, 10, 11, 64, 1000]) {
      const d = new FrameDecoder();
      const got: [number, string][] = [];
      for (let i = 0; i < all.length; i += step) d.push(all.subarray(i, i + step), (_k, _o, id, body) => got.push([id, body.toString('hex')]));
      assert.deepEqual(got, whole, `split every ${step} bytes`);
      assert.ok(d.idle);
    }
  });

  test('a bad length is refused as soon as its 4 bytes are in, and the decoder stays failed', () => {
    const d = new FrameDecoder();
    d.push(Buffer.of(0xff, 0xff), () => assert.fail('no frame'));
    assert.throws(() => d.push(Buffer.of(0xff, 0xff), () => {}), { code: 'FRAME_TOO_LARGE' });
    assert.throws(() => d.push(Buffer.alloc(10), () => {}), { code: 'FRAME_MALFORMED' });
    assert.throws(() => new FrameDecoder().push(Buffer.of(0, 0, 0, 5), () => {}), { code: 'FRAME_MALFORMED' });
  });
});

describe('BodyReader', () => {
  test('reads are bounds-checked and strings must be valid UTF-8', () => {
    const r = new BodyReader(Buffer.of(0, 3, 0x61, 0x62), false, shareView);
    assert.throws(() => r.str16(), FormatError);
    assert.throws(() => new BodyReader(Buffer.of(0, 1, 0xff), false, shareView).str16(), /UTF-8/);
    assert.throws(() => new BodyReader(Buffer.of(1, 2), false, shareView).u32(), /truncated/);
    const ok = new BodyReader(Buffer.of(0, 2, 0xc3, 0xbc, 9), false, shareView);
    assert.equal(ok.str16(), 'ü');
    assert.throws(() => ok.done(), /trailing/);
  });

  test('the pooled copier gives independent plain copies; big ones get their own buffer', () => {
    const copy = pooledCopier();
    const src = new Uint8Array(100).fill(1);
    const a = copy(src);
    src.fill(2);
    const b = copy(src);
    assert.ok(a.every((x) => x === 1));
    assert.ok(b.every((x) => x === 2));
    assert.equal(Object.getPrototypeOf(a), Uint8Array.prototype);
    const big = copy(new Uint8Array(5000));
    assert.equal(big.byteOffset, 0);
    assert.equal(big.buffer.byteLength, 5000);
  });
});
