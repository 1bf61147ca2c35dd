// Attacks 7 and 8 over real TCP on 127.0.0.1: peers that hold a connection and say nothing, and a
// flood of unknown devices trying to fill the consent queue.

import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isMemCloudError } from '../../../../engine/errors';
import { DeviceIdentity } from '../../../../engine/identity/device-identity';
import { closeSharedPool, createEndpoint, type Endpoint } from '../../../support/endpoints';
import { nextSession } from '../../../support/session-helpers';
import { closeAfterEach } from '../../../support/attacks/cleanup';
import { hostileHandshake, hostileSession, type HostileHandshake } from '../../../support/attacks/hostile-initiator';
import { HostileNoise } from '../../../support/attacks/hostile-noise';
import { HostileListener, RawPeer } from '../../../support/attacks/raw-peer';
import { VictimWatch } from '../../../support/attacks/victim-watch';
import { ABORT, GENERIC_ABORT, HANDSHAKE, frame, preamble, types } from '../../../support/attacks/wire-bytes';

after(closeSharedPool);

/** Resolves once `count` of the promises have settled. */
function settledCount(promises: readonly Promise<unknown>[], count: number): Promise<void> {
  let n = 0;
  return new Promise((resolve) => {
    if (count === 0) resolve();
    for (const p of promises) void p.finally(() => ++n === count && resolve());
  });
}

describe('attack 7: silent peers', () => {
  const track = closeAfterEach();

  test('7. a peer that sends nothing, only the preamble, or stops after message 1 is timed out with ABORT', async () => {
    const b = track(await createEndpoint({ name: 'beta', backend: 'native', handshakeTimeoutMs: 300 }));
    const watch = new VictimWatch(b);
    const silent = async (opening: Buffer): Promise<RawPeer> => {
      const peer = track(await RawPeer.connect(b.port));
      peer.write(opening);
      await peer.waitClosed();
      return peer;
    };
    const noise = new HostileNoise(true, preamble());
    const [nothing, onlyPreamble, afterMessage1] = await Promise.all([
      silent(Buffer.alloc(0)),
      silent(preamble()),
      silent(Buffer.concat([preamble(), frame(HANDSHAKE, noise.write())])),
    ]);
    assert.deepEqual(nothing.bytes, GENERIC_ABORT);
    assert.deepEqual(onlyPreamble.bytes, GENERIC_ABORT);
    assert.deepEqual(types(afterMessage1.frames), [HANDSHAKE, ABORT], 'message 2, then ABORT');
    assert.deepEqual(afterMessage1.frames[1]!.raw, GENERIC_ABORT);
    watch.assertUntouched('silent peers');
  });

  test('7. a silent responder: the initiator times out, sends ABORT and closes', async () => {
    const a = track(await createEndpoint({ name: 'alpha', backend: 'native', handshakeTimeoutMs: 300 }));
    const listener = track(await HostileListener.start());
    const dialing = assert.rejects(a.sessions.dial('127.0.0.1', listener.port), (e) => isMemCloudError(e, 'HANDSHAKE_TIMEOUT'));
    const peer = await listener.nextPeer();
    await dialing;
    await peer.waitClosed();
    assert.deepEqual(types(peer.frames), [HANDSHAKE, ABORT], 'message 1, then ABORT');
    assert.deepEqual(peer.frames[1]!.raw, GENERIC_ABORT);
    assert.equal(a.sessions.sessions().length, 0);
  });

  test('7. a trusted device that completes the handshake but never sends HELLO is dropped', async () => {
    const b = track(await createEndpoint({ name: 'beta', backend: 'native', admissionTimeoutMs: 300 }));
    const identity = DeviceIdentity.generate();
    await b.trust.trust(identity.publicKey, { name: 'mallory', approval: 'cli' });
    const watch = new VictimWatch(b);
    const s = await hostileSession(b.port, { identity, hello: () => null });
    track(s.peer);
    await s.peer.waitClosed();
    assert.deepEqual(s.peer.remainingFrames().map((f) => f.raw), [GENERIC_ABORT], 'HELLO went out; then ABORT');
    watch.assertUntouched('no HELLO');
  });
});

describe('attack 8: consent flood', () => {
  const track = closeAfterEach();

  async function flood(b: Endpoint, devices: number): Promise<HostileHandshake[]> {
    // Each device from its own loopback address, as separate machines would be: the half-open
    // limit per source (section 4.1) is not what this attack is about.
    const attacks = await Promise.all(Array.from({ length: devices }, (_, i) => hostileHandshake(b.port, { localAddress: `127.0.8.${i + 1}` })));
    for (const a of attacks) track(a.peer);
    return attacks;
  }

  test('8. 40 unknown devices at once, 16 may wait: the rest get ABORT at once; answering drains the queue', async () => {
    const b = track(await createEndpoint({ name: 'beta', backend: 'native', maxConsent: 16, consentTimeoutMs: 60_000 }));
    const watch = new VictimWatch(b);
    let mostPending = 0;
    b.consent.on('request', () => (mostPending = Math.max(mostPending, b.consent.list().length)));
    const attacks = await flood(b, 40);
    await settledCount(attacks.map((a) => a.peer.closed), 24);

    assert.equal(watch.requests.length, 16, 'exactly 16 requests were raised');
    assert.equal(b.consent.list().length, 16);
    assert.equal(mostPending, 16);
    const refused = attacks.filter((a) => !a.peer.isOpen);
    const waiting = attacks.filter((a) => a.peer.isOpen);
    assert.equal(refused.length, 24);
    for (const a of refused) assert.deepEqual(a.peer.remainingFrames().map((f) => f.raw), [GENERIC_ABORT]);
    for (const a of waiting) assert.deepEqual(a.peer.remainingFrames(), [], 'a waiting device hears nothing yet');
    const waitingKeys = new Set(waiting.map((a) => a.identity.publicKeyText));
    assert.ok(watch.requests.every((r) => waitingKeys.has(r.publicKey)), 'the requests are the waiting devices');

    for (const r of b.consent.list()) b.consent.answer(r.id, 'deny');
    await Promise.all(waiting.map((a) => a.peer.waitClosed()));
    for (const a of waiting) assert.deepEqual(a.peer.remainingFrames().map((f) => f.raw), [GENERIC_ABORT]);
    assert.equal(b.consent.list().length, 0, 'the queue drained');
    assert.equal(watch.sessions.length + b.sessions.sessions().length, 0);

    // With room again, the next unknown device is asked about, and can be admitted.
    b.consent.once('request', (r) => b.consent.answer(r.id, 'once'));
    const opened = nextSession(b);
    const late = await hostileSession(b.port);
    track(late.peer);
    assert.equal((await opened).remote.name, 'mallory');
  });

  test('8. unanswered requests expire and the queue drains by itself', async () => {
    const b = track(await createEndpoint({ name: 'beta', backend: 'native', maxConsent: 4, consentTimeoutMs: 300 }));
    const watch = new VictimWatch(b);
    let mostPending = 0;
    b.consent.on('request', () => (mostPending = Math.max(mostPending, b.consent.list().length)));
    const expired: string[] = [];
    b.consent.on('resolved', (r) => expired.push(r.outcome));
    const attacks = await flood(b, 10);
    await Promise.all(attacks.map((a) => a.peer.waitClosed()));
    for (const a of attacks) assert.deepEqual(a.peer.remainingFrames().map((f) => f.raw), [GENERIC_ABORT]);
    // On a loaded machine early requests may expire before late devices arrive, making room.
    assert.ok(watch.requests.length >= 4, `${watch.requests.length} requests`);
    assert.ok(mostPending <= 4, 'never more than 4 waiting');
    assert.deepEqual(new Set(expired), new Set(['expired']));
    assert.equal(expired.length, watch.requests.length, 'every request expired');
    assert.equal(b.consent.list().length, 0);
    assert.equal(watch.sessions.length, 0);
  });
});
