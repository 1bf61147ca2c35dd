// Two in-memory duplex streams wired back to back, like the two ends of a TCP connection: bytes
// written to one are read from the other, end() is a FIN, destroy() a reset. Optionally every
// write is recorded, and can be rewritten, on its way across.

import { Duplex } from 'node:stream';

export type Tap = (chunk: Buffer) => Buffer | null;

export interface DuplexPair {
  readonly left: Duplex;
  readonly right: Duplex;
  /** Every chunk written by left (to right) and by right (to left), as it crossed. */
  readonly sent: { left: Buffer[]; right: Buffer[] };
}

export function duplexPair(taps: { left?: Tap; right?: Tap } = {}): DuplexPair {
  const sent = { left: [] as Buffer[], right: [] as Buffer[] };
  const ends: Duplex[] = [];
  const make = (side: 'left' | 'right'): Duplex =>
    new Duplex({
      read() {},
      write(chunk: Buffer, _encoding, callback) {
        const out = taps[side] ? taps[side]!(chunk) : chunk;
        if (out !== null) {
          sent[side].push(Buffer.from(out));
          const other = ends[side === 'left' ? 1 : 0]!;
          if (!other.destroyed) other.push(out);
        }
        callback();
      },
      final(callback) {
        const other = ends[side === 'left' ? 1 : 0]!;
        if (!other.destroyed) other.push(null);
        callback();
      },
      destroy(err, callback) {
        const other = ends[side === 'left' ? 1 : 0]!;
        if (!other.destroyed) other.destroy();
        callback(err);
      },
    });
  ends.push(make('left'), make('right'));
  return { left: ends[0]!, right: ends[1]!, sent };
}
