// Backpressure and keep-alive of a channel over real TCP (docs/protocol.md sections 6.4 and 6.5):
// a peer that asks for replies and never reads them stops being read and, its send buffer not
// moving, is closed after the no-progress deadline; the victim's buffer stays bounded. PINGs sent
// by a peer that does not read come back as at most one PONG owed at a time.

import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DeviceIdentity } from '../../../engine/identity/device-identity';
import type { Session } from '../../../engine/session/session-manager';
import { closeSharedPool, createEndpoint, type Endpoint } from '../../support/endpoints';
import { nextSession, waitClosed, withTimeout } from '../../support/session-helpers';
import { closeAfterEach } from '../../support/attacks/cleanup';
import { hostileSession, type HostileSession } from '../../support/attacks/hostile-initiator';
import { channelMessage } from '../../support/attacks/hostile-noise';
import { eventually } from '../../support/eventually';

after(closeSharedPool);

const APP = 0;
const PING = 3;
const PONG = 4;
const KiB = 1024;


describe('channel flow over TCP', () => {
  const track = closeAfterEach();

  async function victimAndHostile(channel: Parameters<typeof createEndpoint>[0]['channel']): Promise<{ victim: Endpoint; session: Session; hostile: HostileSession }> {
    const victim = track(await createEndpoint({ name: 'victim', backend: 'native', pool: false, ...(channel ? { channel } : {}) }));
    const identity = DeviceIdentity.generate();
    await victim.trust.trust(identity.publicKey, { name: 'mallory', approval: 'cli' });
    const opened = nextSession(victim);
    const hostile = await hostileSession(victim.port, { identity });
    track(hostile.peer);
    return { victim, session: await opened, hostile };
  }

  test('a peer that never reads its replies stops being read, is closed after the no-progress deadline, and costs a bounded buffer', async () => {
    const flow = { readPauseMark: 1024 * KiB, readResumeMark: 512 * KiB, noProgressMs: 2000 };
    const { session, hostile } = await victimAndHostile({ highWaterMark: 256 * KiB, flow });
    const reply = Buffer.alloc(256 * KiB, 1);
    let requests = 0;
    let mostBuffered = 0;
    // The victim answers every message with 256 KiB, like a holder answering LOADs.
    session.channel.on('message', () => {
      requests++;
      session.channel.send(reply);
      mostBuffered = Math.max(mostBuffered, session.channel.bufferedBytes);
    });
    const closed = waitClosed(session.channel, 60_000);
    hostile.peer.socket.pause(); // never reads again
    const sent = 2000;
    for (let i = 0; i < sent; i += 100) {
      hostile.sendRecord(Buffer.concat(Array.from({ length: 100 }, () => channelMessage(APP, Buffer.from('LOAD')))));
    }
    await eventually('the victim to stop reading', () => session.channel.readingPaused);
    const err = await closed;
    assert.equal(err?.code, 'TIMEOUT');
    assert.match(err!.message, /has not taken any of our \d+ queued bytes for 2 s/);
    assert.ok(requests < sent, `the victim stopped reading: it took ${requests} of ${sent} requests`);
    // Never much more than the pause mark plus one reply queued in our process.
    assert.ok(mostBuffered <= flow.readPauseMark + reply.length + 64 * KiB, `${mostBuffered} bytes buffered at most`);
  });

  test('a peer that reads again is read again: reading resumes below the resume mark', async () => {
    const flow = { readPauseMark: 1024 * KiB, readResumeMark: 512 * KiB, noProgressMs: 30_000 };
    const { session, hostile } = await victimAndHostile({ highWaterMark: 256 * KiB, flow });
    const reply = Buffer.alloc(256 * KiB, 2);
    let requests = 0;
    session.channel.on('message', () => {
      requests++;
      session.channel.send(reply);
    });
    hostile.peer.socket.pause();
    hostile.sendRecord(Buffer.concat(Array.from({ length: 40 }, () => channelMessage(APP, Buffer.from('LOAD')))));
    await eventually('the victim to stop reading', () => session.channel.readingPaused);
    const before = requests;
    hostile.peer.socket.resume(); // reads everything now
    await eventually('every request served', () => requests === 40);
    assert.ok(before < 40, `paused after ${before} requests`);
    // The last replies may pause it again for a moment; it resumes as the peer reads them.
    await eventually('reading to resume', () => !session.channel.readingPaused);
    assert.ok(session.channel.isOpen);
  });

  test('PINGs from a peer that does not read: at most one PONG owed, the newest; the victim buffers almost nothing', async () => {
    const { session, hostile } = await victimAndHostile(undefined);
    hostile.peer.socket.pause();
    let mostBuffered = 0;
    const sampler = setInterval(() => (mostBuffered = Math.max(mostBuffered, session.channel.bufferedBytes)), 5);
    // 100 records of 5000 PINGs each: half a million PINGs, 6.5 MB of them.
    let last = Buffer.alloc(8);
    for (let r = 0; r < 100; r++) {
      const pings: Buffer[] = [];
      for (let i = 0; i < 5000; i++) {
        last = Buffer.alloc(8);
        last.writeUInt32BE(r, 0);
        last.writeUInt32BE(i, 4);
        pings.push(channelMessage(PING, last));
      }
      hostile.sendRecord(Buffer.concat(pings));
      if (r % 20 === 19) await new Promise((res) => setTimeout(res, 10));
    }
    await new Promise((r) => setTimeout(r, 1500)); // the victim reads it all (it is small) and ticks
    clearInterval(sampler);
    hostile.peer.socket.resume();
    const pongs = await readPongs(hostile, last);
    assert.ok(session.channel.isOpen, 'a PING flood is not an error');
    assert.ok(pongs.count < 500_000 / 10, `${pongs.count} PONGs for half a million PINGs`);
    assert.ok(pongs.sawLast, 'the owed PONG carries the newest PING');
    assert.ok(mostBuffered < 256 * KiB, `at most ${mostBuffered} bytes queued in the victim`);
  });
});

/** Reads the victim's records until the PONG answering `last` arrived; counts the PONGs. */
async function readPongs(hostile: HostileSession, last: Buffer): Promise<{ count: number; sawLast: boolean }> {
  let stream = Buffer.alloc(0);
  let count = 0;
  let sawLast = false;
  await withTimeout(
    (async () => {
      while (!sawLast) {
        const f = await hostile.peer.nextFrame(20_000);
        stream = Buffer.concat([stream, hostile.receive.decryptWithAd(new Uint8Array(0), f.body)]);
        while (stream.length >= 5 && stream.length >= 4 + stream.readUInt32BE(0)) {
          const len = stream.readUInt32BE(0);
          if (stream[4] === PONG) {
            count++;
            if (stream.subarray(5, 4 + len).equals(last)) sawLast = true;
          }
          stream = stream.subarray(4 + len);
        }
      }
    })(),
    30_000,
    'the PONG for the last PING',
  );
  return { count, sawLast };
}
