// The keep-alive's idle close (docs/protocol.md section 6.4), driven by an explicit clock: silence
// counts only while this side reads, and when reading resumes after a pause of our own the 45 s
// start afresh.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { KeepAlive } from '../../../engine/net/keep-alive';
import { SendProgress } from '../../../engine/net/send-progress';

const IDLE = 45_000;

function keepAlive(start: number) {
  const pings: Buffer[] = [];
  const ka = new KeepAlive({ sendPing: (b) => pings.push(Buffer.from(b)), sendPong: () => {} }, new SendProgress({ writableLength: 0 }), 15_000, IDLE, start);
  ka.opened(start);
  return { ka, pings };
}

/** Ticks once a second from `from` to `to` (inclusive), as the channel does; the first error, or null. */
function tickEverySecond(ka: KeepAlive, from: number, to: number, paused: boolean): { at: number; code: string } | null {
  for (let now = from; now <= to; now += 1000) {
    const err = ka.tick(now, paused);
    if (err) return { at: now, code: err.code };
  }
  return null;
}

describe('keep-alive idle close (protocol.md 6.4)', () => {
  test('a peer silent for 45 s while we read is closed with TIMEOUT', () => {
    const t0 = 1_000_000;
    const { ka } = keepAlive(t0);
    const closed = tickEverySecond(ka, t0 + 1000, t0 + 60_000, false);
    assert.deepEqual(closed, { at: t0 + IDLE, code: 'TIMEOUT' });
  });

  test('our own pause does not count as silence: after resuming, the peer has 45 s again', () => {
    const t0 = 1_000_000;
    const { ka } = keepAlive(t0);
    ka.received(t0 + 10_000); // the peer's last byte
    assert.equal(tickEverySecond(ka, t0 + 11_000, t0 + 40_000, false), null, 'silent for 30 s while read: fine');
    // We stop reading (our send buffer is full) for 100 s: no check during the pause.
    assert.equal(tickEverySecond(ka, t0 + 41_000, t0 + 140_000, true), null, 'no close while we do not read');
    const resumedAt = t0 + 140_500;
    ka.readingResumed(resumedAt);
    // Before the fix the first tick after resuming closed the session (130 s since the last byte).
    const closed = tickEverySecond(ka, t0 + 141_000, t0 + 200_000, false);
    assert.ok(closed !== null, 'silence after resuming still counts');
    assert.equal(closed.code, 'TIMEOUT');
    assert.equal(closed.at, t0 + 186_000, 'the first tick at least 45 s after reading resumed');
    assert.ok(closed.at - resumedAt >= IDLE && closed.at - resumedAt < IDLE + 1000);
  });

  test('bytes received after resuming move the clock as usual', () => {
    const t0 = 1_000_000;
    const { ka } = keepAlive(t0);
    assert.equal(tickEverySecond(ka, t0 + 1000, t0 + 30_000, true), null);
    ka.readingResumed(t0 + 30_000);
    ka.received(t0 + 50_000);
    assert.equal(tickEverySecond(ka, t0 + 31_000, t0 + 94_000, false), null, 'less than 45 s since the last byte');
    assert.deepEqual(tickEverySecond(ka, t0 + 95_000, t0 + 100_000, false), { at: t0 + 95_000, code: 'TIMEOUT' });
  });

  test('a resume reported with an older time never moves the clock back', () => {
    const t0 = 1_000_000;
    const { ka } = keepAlive(t0);
    ka.received(t0 + 20_000);
    ka.readingResumed(t0 + 5_000);
    assert.equal(tickEverySecond(ka, t0 + 21_000, t0 + 64_000, false), null);
    assert.deepEqual(tickEverySecond(ka, t0 + 65_000, t0 + 70_000, false), { at: t0 + 65_000, code: 'TIMEOUT' });
  });
});
