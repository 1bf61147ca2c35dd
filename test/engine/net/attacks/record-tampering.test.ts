// Attack 5 over real TCP on 127.0.0.1: a proxy flips one byte of one small transport record of an
// established session, one connection per byte, frame header included. The receiver must close the
// session and deliver nothing from that record on (the record itself and 128 KiB sent after it).

import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { Session } from '../../../../engine/session/session-manager';
import { closeSharedPool, createEndpoint, pair, type Endpoint } from '../../../support/endpoints';
import { nextMessages, nextSession, waitClosed } from '../../../support/session-helpers';
import { closeAfterEach } from '../../../support/attacks/cleanup';
import { MitmProxy, type Direction, type ProxyConnection } from '../../../support/attacks/mitm-proxy';
import { assertGenericAborts } from '../../../support/attacks/wire-bytes';

after(closeSharedPool);

interface Flip {
  readonly dir: Direction;
  readonly at: number;
  readonly mask: number;
}

const FIRST = Buffer.from('tamper with me');
const REST = randomBytes(128 * 1024);
/** Frame header 5 + message header 5 + body + Poly1305 tag 16. */
const RECORD_LENGTH = 5 + 5 + FIRST.length + 16;

function isFirstRecord(f: { readonly transportIndex: number; readonly raw: Buffer }): boolean {
  return f.transportIndex >= 1 && f.raw.length === RECORD_LENGTH;
}

describe('attack 5: tampering with a transport record', () => {
  const track = closeAfterEach();
  let flip: Flip | null = null;

  async function setup(): Promise<{ a: Endpoint; b: Endpoint; proxy: MitmProxy }> {
    const a = track(await createEndpoint({ name: 'alpha', backend: 'native' }));
    const b = track(await createEndpoint({ name: 'beta', backend: 'native' }));
    await pair(a, b);
    // Transport frame 0 of each direction is HELLO; FIRST's record is the first one after it of
    // exactly RECORD_LENGTH bytes (a keep-alive PING, 250 ms after opening, may come before it).
    const flipped = new WeakSet<ProxyConnection>();
    const proxy = track(
      await MitmProxy.start(b.port, {
        frame: (c, f) => {
          if (flip === null || f.dir !== flip.dir || !isFirstRecord(f) || flipped.has(c)) return f.raw;
          flipped.add(c);
          const out = Buffer.from(f.raw);
          out[flip.at]! ^= flip.mask;
          return out;
        },
      }),
    );
    return { a, b, proxy };
  }

  /** One session: `from` sends FIRST in a record of its own, then REST. Returns what `to` received. */
  async function exchange(a: Endpoint, b: Endpoint, proxy: MitmProxy, dir: Direction) {
    const inbound = nextSession(b);
    const sa = await a.sessions.dial('127.0.0.1', proxy.port);
    const sb = await inbound;
    const [from, to]: Session[] = dir === 'up' ? [sa, sb] : [sb, sa];
    const delivered: Buffer[] = [];
    to!.channel.on('message', (m) => delivered.push(Buffer.from(m)));
    const toClosed = waitClosed(to!.channel);
    const fromClosed = waitClosed(from!.channel);
    const both = nextMessages(to!.channel, 2).catch(() => [] as Buffer[]);
    from!.channel.send(FIRST);
    await new Promise(setImmediate); // FIRST is sealed and written alone before REST is queued
    from!.channel.send(REST);
    const conn = await proxy.latest();
    return { from: from!, to: to!, delivered, both, toClosed, fromClosed, conn };
  }

  function checkRecord(conn: ProxyConnection, dir: Direction): void {
    assert.ok(conn.frames[dir].some(isFirstRecord), 'FIRST travelled alone in one small record');
  }

  for (const dir of ['up', 'down'] as const) {
    const who = dir === 'up' ? 'initiator to responder' : 'responder to initiator';
    test(`5. ${who}: flipping each byte of a record closes the session; nothing from it on is delivered`, async () => {
      const { a, b, proxy } = await setup();
      flip = null;
      const control = await exchange(a, b, proxy, dir);
      await control.both;
      assert.equal(control.delivered.length, 2);
      assert.ok(control.delivered[0]!.equals(FIRST) && control.delivered[1]!.equals(REST), 'untampered, both arrive');
      checkRecord(control.conn, dir);
      await control.from.channel.close();
      await control.toClosed;

      // Every byte in the initiator's direction; the header, first and last byte the other way.
      const positions = dir === 'up' ? [...Array(RECORD_LENGTH).keys()] : [0, 1, 2, 3, 4, 5, RECORD_LENGTH - 1];
      const flips: Flip[] = positions.map((at) => ({ dir, at, mask: 0xff }));
      // Single-bit flips of the length and type make near-valid headers (one byte longer or shorter, ABORT).
      for (let at = 0; at < 5; at++) flips.push({ dir, at, mask: 0x01 });
      for (const f of flips) {
        flip = f;
        const run = await exchange(a, b, proxy, dir);
        const what = `byte ${f.at} ^ 0x${f.mask.toString(16)}`;
        await run.toClosed;
        await run.fromClosed;
        await run.conn.closed;
        assert.deepEqual(run.delivered, [], `${what}: nothing delivered`);
        checkRecord(run.conn, dir);
        assertGenericAborts(run.conn.frames.up, `${what}, initiator`);
        assertGenericAborts(run.conn.frames.down, `${what}, responder`);
        assert.equal(a.sessions.sessions().length + b.sessions.sessions().length, 0, `${what}: no session left open`);
      }
    });
  }
});
