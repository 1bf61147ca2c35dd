// The decoders that read bytes a peer (or a cache upstream) chose, fed mutated valid inputs from a
// fixed seed: each either decodes or refuses with its boundary's own error (FRAME_MALFORMED,
// EntryFormatError, null for a TICKET), never another exception (a RangeError, a TypeError).

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isMemCloudError, MemCloudError } from '../../../engine/errors';
import {
  decodePeerMessage, encodeError, encodeEvicted, encodeFree, encodeListReply, encodeLoad, encodeLoadReply, encodeQuota, encodeStatReply, encodeStore,
  encodeTeamRevocations, Op,
} from '../../../engine/cluster/peer-protocol';
import { decodeResumePayload, decodeTicket, encodeResumePayload, encodeTicket } from '../../../engine/net/resume-wire';
import { decodeEntryHeader, encodeEntryHeader, EntryFormatError } from '../../../engine/buildcache/entry-format';

/** xorshift32: the same mutations on every run. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x100000000;
  };
}

/** One mutation: flip, set, cut, extend, duplicate or drop a range; a few at once. */
function mutate(input: Buffer, r: () => number): Buffer {
  let b = Buffer.from(input);
  for (let k = 1 + Math.floor(r() * 3); k > 0; k--) {
    const at = Math.floor(r() * (b.length + 1));
    switch (Math.floor(r() * 6)) {
      case 0: if (b.length) b[at % b.length]! ^= 1 << Math.floor(r() * 8); break;
      case 1: if (b.length) b[at % b.length] = [0, 0xff, 0x7f, 0x80, 1][Math.floor(r() * 5)]!; break;
      case 2: b = b.subarray(0, at); break;
      case 3: b = Buffer.concat([b, Buffer.alloc(1 + Math.floor(r() * 20), Math.floor(r() * 256))]); break;
      case 4: b = Buffer.concat([b.subarray(0, at), b.subarray(Math.floor(at / 2))]); break;
      default: b = Buffer.concat([b.subarray(0, at), b.subarray(at + 1 + Math.floor(r() * 4))]);
    }
  }
  return b;
}

function survives(name: string, seeds: readonly Buffer[], decode: (b: Buffer) => unknown, refusal: (e: unknown) => boolean, rounds = 20_000): void {
  const r = rng(name.length * 7919 + 17);
  let decoded = 0;
  for (let i = 0; i < rounds; i++) {
    const input = mutate(seeds[i % seeds.length]!, r);
    try {
      decode(input);
      decoded++;
    } catch (e) {
      if (!refusal(e)) assert.fail(`${name}: ${input.toString('hex')} threw ${String(e)}`);
    }
  }
  assert.ok(decoded > 0 && decoded < rounds, `${name}: ${decoded} of ${rounds} decoded (some must, most must not)`);
}

const B = '00112233445566778899aabbccddeeff';

describe('decoders of hostile bytes, under mutation', () => {
  test('RAM protocol: decodes or FRAME_MALFORMED', () => {
    const seeds = [
      Buffer.concat(encodeStore(7, B, 1, Buffer.from('data'))), encodeLoad(9, B), encodeFree(3, [B, B]), encodeEvicted([B]), encodeQuota(1 << 30),
      encodeTeamRevocations(Buffer.from('list')), encodeError(Op.LOAD, 9, new MemCloudError('NOT_FOUND', 'no such block é')),
      Buffer.concat(encodeLoadReply(8, Buffer.from('xyz'))), encodeStatReply(4, { allowedBytes: 1, usedBytes: 2, availableBytes: 3 }), encodeListReply(5, 9, [B, B]),
    ];
    survives('peer-protocol', seeds, (b) => decodePeerMessage(b), (e) => isMemCloudError(e, 'FRAME_MALFORMED'));
  });

  test('resume payload: decodes or FRAME_MALFORMED; TICKET: decodes or null', () => {
    survives('resume-payload', [Buffer.from(encodeResumePayload({ offeredBytes: 5e9, name: 'Lab desk é' }))], (b) => decodeResumePayload(b), (e) => isMemCloudError(e, 'FRAME_MALFORMED'));
    const ticket = Buffer.from(encodeTicket({ id: new Uint8Array(16).fill(3), lifetimeS: 3600 }));
    survives('ticket', [ticket], (b) => {
      if (decodeTicket(b) === null) throw new Error('ignored');
    }, (e) => e instanceof Error && e.message === 'ignored');
  });

  test('build-cache entry header: decodes or EntryFormatError', () => {
    const seed = Buffer.concat([encodeEntryHeader({ 'content-type': 'application/octet-stream', 'x-artifact-tag': 'abc' }), Buffer.from('payload')]);
    survives('entry-format', [seed], (b) => decodeEntryHeader(b), (e) => e instanceof EntryFormatError);
  });
});
