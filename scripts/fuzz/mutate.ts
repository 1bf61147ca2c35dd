// Mutation operators over a valid message: bit flips, interesting bytes, truncation, insertion,
// deletion, duplication, and "interesting" values written into the length and id fields the
// caller names, so lengths lie in exactly the ways a parser must survive.

import type { Rng } from './rng';

/** A field of the message the operators target on purpose: offset and width in bytes. */
export interface Field {
  readonly at: number;
  readonly width: 1 | 2 | 4 | 8;
}

const INTERESTING_BYTES = [0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff];

function interestingValues(width: number, length: number): number[] {
  const max = width >= 4 ? 0xffffffff : 2 ** (8 * width) - 1;
  const near = [length - 1, length, length + 1, length + 4, 2 * length].filter((v) => v >= 0 && v <= max);
  const fixed = [0, 1, 2, 5, 6, 32, 33, 59, 60, 255, 256, 4096, 65535, 65536, 65537, 16 * 1024 * 1024 + 4097, 16 * 1024 * 1024 + 4098, 0x7fffffff, 0x80000000, 0xffffffff];
  return [...near, ...fixed.filter((v) => v <= max)];
}

function writeField(b: Buffer, f: Field, value: number): void {
  if (f.at + f.width > b.length) return;
  if (f.width === 1) b[f.at] = value & 0xff;
  else if (f.width === 2) b.writeUInt16BE(value & 0xffff, f.at);
  else if (f.width === 4) b.writeUInt32BE(value >>> 0, f.at);
  else b.writeBigUInt64BE(BigInt(Math.floor(value)), f.at);
}

type Operator = (rng: Rng, b: Buffer, fields: readonly Field[]) => Buffer;

const operators: ReadonlyArray<[string, Operator]> = [
  ['flip', (rng, b) => {
    if (b.length === 0) return b;
    const i = rng.int(b.length);
    b[i] = b[i]! ^ (1 << rng.int(8));
    return b;
  }],
  ['byte', (rng, b) => {
    if (b.length === 0) return b;
    b[rng.int(b.length)] = rng.chance(0.5) ? rng.pick(INTERESTING_BYTES) : rng.int(256);
    return b;
  }],
  ['field', (rng, b, fields) => {
    if (fields.length === 0) return b;
    const f = rng.pick(fields);
    writeField(b, f, rng.pick(interestingValues(f.width, b.length - f.at - f.width)));
    return b;
  }],
  ['truncate', (rng, b) => b.subarray(0, rng.int(b.length + 1))],
  ['append', (rng, b) => Buffer.concat([b, rng.bytes(rng.chance(0.1) ? rng.between(1, 70_000) : rng.between(1, 64))])],
  ['insert', (rng, b) => {
    const at = rng.int(b.length + 1);
    return Buffer.concat([b.subarray(0, at), rng.bytes(rng.between(1, 16)), b.subarray(at)]);
  }],
  ['delete', (rng, b) => {
    if (b.length === 0) return b;
    const at = rng.int(b.length);
    return Buffer.concat([b.subarray(0, at), b.subarray(at + rng.between(1, Math.min(16, b.length - at)))]);
  }],
  ['repeat', (rng, b) => {
    if (b.length === 0) return b;
    const at = rng.int(b.length);
    const piece = b.subarray(at, at + rng.between(1, Math.min(64, b.length - at)));
    return Buffer.concat([b, ...Array.from({ length: rng.between(1, 8) }, () => piece)]);
  }],
  ['random', (rng, b) => rng.bytes(b.length)],
];

/** One to three operators applied to a copy of `input`; `what` names them, for reports. */
export function mutate(rng: Rng, input: Uint8Array, fields: readonly Field[] = []): { out: Buffer; what: string } {
  let out: Buffer = Buffer.from(input);
  const names: string[] = [];
  const n = rng.between(1, 3);
  for (let i = 0; i < n; i++) {
    // Fields get extra weight: lying lengths and ids are what parsers get wrong.
    const [name, op] = fields.length > 0 && rng.chance(0.35) ? operators[2]! : rng.pick(operators);
    out = op(rng, out, fields);
    names.push(name);
  }
  return { out, what: names.join('+') };
}
