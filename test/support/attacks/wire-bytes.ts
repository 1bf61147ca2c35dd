// The attacker's own view of the wire (docs/protocol.md sections 1-2), written independently of
// engine/net so a bug in the engine's framing cannot hide itself in the tests' parsing.

import assert from 'node:assert/strict';

export const HANDSHAKE = 1;
export const TRANSPORT = 2;
export const ABORT = 3;

/** The one generic refusal: length 2, type ABORT, body 01. */
export const GENERIC_ABORT = Buffer.from([0, 0, 0, 2, 3, 1]);

export interface RawFrame {
  readonly type: number;
  readonly body: Buffer;
  /** Header and body exactly as they crossed the wire. */
  readonly raw: Buffer;
}

export function preamble(version = 1, flags = 0): Buffer {
  const b = Buffer.from([0x4d, 0x43, 0x4c, 0x44, 0, 0, 0, 0]);
  b.writeUInt16BE(version, 4);
  b.writeUInt16BE(flags, 6);
  return b;
}

/** length:u32 (type + body) || type || body. The length is not checked: attackers lie. */
export function frame(type: number, body: Uint8Array, length = body.length + 1): Buffer {
  const header = Buffer.alloc(5);
  header.writeUInt32BE(length, 0);
  header[4] = type;
  return Buffer.concat([header, body]);
}

/** Splits a byte stream into whole frames; leftover bytes of a partial frame come back as `rest`. */
export function splitFrames(bytes: Buffer): { frames: RawFrame[]; rest: Buffer } {
  const frames: RawFrame[] = [];
  let at = 0;
  while (bytes.length - at >= 5) {
    const length = bytes.readUInt32BE(at);
    if (length === 0 || bytes.length - at - 4 < length) break;
    const raw = bytes.subarray(at, at + 4 + length);
    frames.push({ type: raw[4]!, body: raw.subarray(5), raw });
    at += 4 + length;
  }
  return { frames, rest: bytes.subarray(at) };
}

/** Refusals on the wire: every ABORT is the generic one, and nothing follows an ABORT. */
export function assertGenericAborts(frames: readonly RawFrame[], what: string): void {
  frames.forEach((f, i) => {
    assert.ok([HANDSHAKE, TRANSPORT, ABORT].includes(f.type), `${what}: frame ${i} has type ${f.type}`);
    if (f.type === ABORT) {
      assert.deepEqual(f.raw, GENERIC_ABORT, `${what}: frame ${i} is not the generic ABORT`);
      assert.equal(i, frames.length - 1, `${what}: bytes followed an ABORT`);
    }
  });
}

/** The frame types in order, e.g. [1, 1, 3]: what a sequence assertion compares. */
export function types(frames: readonly RawFrame[]): number[] {
  return frames.map((f) => f.type);
}
