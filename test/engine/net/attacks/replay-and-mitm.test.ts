// Attacks 1 and 2 over real TCP on 127.0.0.1: replaying a recorded handshake, and men in the middle
// (one with its own identity, one forwarding the victims' real identity payloads).

import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { DeviceIdentity } from '../../../../engine/identity/device-identity';
import type { ConsentRequest } from '../../../../engine/consent/consent-queue';
import { closeSharedPool, createEndpoint, pair } from '../../../support/endpoints';
import { nextMessages, nextSession, waitClosed } from '../../../support/session-helpers';
import { closeAfterEach } from '../../../support/attacks/cleanup';
import { hostileHandshake } from '../../../support/attacks/hostile-initiator';
import { HostileNoise, decodePayload, signedPayload } from '../../../support/attacks/hostile-noise';
import { MitmProxy } from '../../../support/attacks/mitm-proxy';
import { HostileListener, RawPeer } from '../../../support/attacks/raw-peer';
import { VictimWatch } from '../../../support/attacks/victim-watch';
import { ABORT, GENERIC_ABORT, HANDSHAKE, TRANSPORT, assertGenericAborts, frame, preamble, types } from '../../../support/attacks/wire-bytes';
import { failsWith as refused } from '../../../support/errors';

after(closeSharedPool);


describe('attacks on the handshake: replay and man in the middle', () => {
  const track = closeAfterEach();

  async function pairedEndpoints() {
    const a = track(await createEndpoint({ name: 'alpha', backend: 'native' }));
    const b = track(await createEndpoint({ name: 'beta', backend: 'native' }));
    await pair(a, b);
    return { a, b };
  }

  test('1. replay of a recorded handshake: the responder\'s new ephemeral makes message 3 undecryptable', async () => {
    const { a, b } = await pairedEndpoints();
    const proxy = track(await MitmProxy.start(b.port));
    const inbound = nextSession(b);
    const sa = await a.sessions.dial('127.0.0.1', proxy.port);
    const sb = await inbound;
    const delivered = nextMessages(sb.channel, 1);
    sa.channel.send(Buffer.from('the recorded session'));
    assert.equal((await delivered)[0]!.toString(), 'the recorded session');
    const bClosed = waitClosed(sb.channel);
    await sa.channel.close();
    await bClosed;
    const recording = await proxy.latest();
    await recording.closed;
    const up = recording.frames.up;
    assert.deepEqual(types(up).slice(0, 2), [HANDSHAKE, HANDSHAKE]);
    assert.ok(up.filter((f) => f.type === TRANSPORT).length >= 3, 'HELLO, the message and CLOSE were recorded');

    const watch = new VictimWatch(b);
    const replay = await RawPeer.connect(b.port);
    replay.write(Buffer.concat([recording.preamble!, up[0]!.raw]));
    const msg2 = await replay.nextFrame();
    assert.equal(msg2.type, HANDSHAKE);
    assert.notDeepEqual(msg2.body.subarray(0, 32), recording.frames.down[0]!.body.subarray(0, 32), 'a fresh responder ephemeral');
    for (const f of up.slice(1)) replay.write(f.raw); // message 3, then the recorded records
    await replay.waitClosed();
    assert.deepEqual(replay.remainingFrames().map((f) => f.raw), [GENERIC_ABORT]);
    assertGenericAborts(replay.frames, 'responder to the replay');
    watch.assertUntouched('replayed handshake');
  });

  test('2a. a man in the middle with its own identity: both victims refuse it (consent denied)', async () => {
    const { a, b } = await pairedEndpoints();
    // Mallory calls itself "beta" and relays: alpha -> mallory (listener), mallory -> beta (dialer).
    const m = track(await createEndpoint({ name: 'beta', backend: 'native' }));
    m.consent.on('request', (r) => m.consent.answer(r.id, 'once'));
    const toMallory = track(await MitmProxy.start(m.port));
    const toBeta = track(await MitmProxy.start(b.port));
    const watchA = new VictimWatch(a);
    const watchB = new VictimWatch(b);
    const askedA = once(a.consent, 'request') as Promise<[ConsentRequest]>;
    const askedB = once(b.consent, 'request') as Promise<[ConsentRequest]>;
    const alphaDial = assert.rejects(a.sessions.dial('127.0.0.1', toMallory.port), refused('CONSENT_DENIED'));
    const relayDial = assert.rejects(m.sessions.dial('127.0.0.1', toBeta.port), refused('HANDSHAKE_FAILED'));

    const [reqA] = await askedA;
    assert.equal(reqA.fingerprint, m.identity.fingerprint, 'alpha sees mallory\'s key, not beta\'s');
    assert.equal(reqA.nameMatchesTrustedFingerprint, b.identity.fingerprint, 'and is warned the name belongs to beta');
    a.consent.answer(reqA.id, 'deny');
    const [reqB] = await askedB;
    assert.equal(reqB.fingerprint, m.identity.fingerprint);
    b.consent.answer(reqB.id, 'deny');
    await alphaDial;
    await relayDial;

    const [legA, legB] = [await toMallory.latest(), await toBeta.latest()];
    await Promise.all([legA.closed, legB.closed]);
    assert.deepEqual(types(legA.frames.up), [HANDSHAKE, HANDSHAKE, ABORT], 'alpha: messages 1 and 3, then ABORT');
    assert.deepEqual(types(legB.frames.down), [HANDSHAKE, ABORT], 'beta: message 2, then ABORT');
    assertGenericAborts(legA.frames.up, 'alpha');
    assertGenericAborts(legB.frames.down, 'beta');
    for (const [w, what] of [[watchA, 'alpha'], [watchB, 'beta']] as const) {
      assert.equal(w.sessions.length + w.messages.length, 0, `${what}: no session, no data`);
      assert.equal(w.endpoint.sessions.sessions().length, 0);
    }
    assert.equal(m.sessions.sessions().length, 0);
  });

  test('2b. a MITM forwarding the responder\'s real payload fails alpha\'s signature check (h differs)', async () => {
    const { a, b } = await pairedEndpoints();
    const mallory = track(await HostileListener.start());
    const watchA = new VictimWatch(a);
    const watchB = new VictimWatch(b);
    // Alpha expects beta's key at this address, and the forwarded payload does carry beta's key.
    const dialing = assert.rejects(a.sessions.dial('127.0.0.1', mallory.port, { expectedKey: b.identity.publicKey }), refused('HANDSHAKE_FAILED'));
    const victim = await mallory.nextPeer();
    const toAlpha = new HostileNoise(false, await victim.preamble);
    toAlpha.read((await victim.nextFrame()).body);

    const toBeta = new HostileNoise(true, preamble());
    const upstream = track(await RawPeer.connect(b.port));
    upstream.write(Buffer.concat([preamble(), frame(HANDSHAKE, toBeta.write())]));
    const betaPayload = toBeta.read((await upstream.nextFrame()).body).payload;
    assert.deepEqual(Buffer.from(decodePayload(betaPayload).identityKey), Buffer.from(b.identity.publicKey), 'beta\'s genuine payload');
    victim.write(frame(HANDSHAKE, toAlpha.write(betaPayload)));

    await dialing;
    await victim.waitClosed();
    assert.deepEqual(victim.remainingFrames().map((f) => f.raw), [GENERIC_ABORT], 'ABORT instead of message 3');
    upstream.destroy();
    watchA.assertUntouched('alpha');
    watchB.assertUntouched('beta');
  });

  test('2b. a MITM forwarding the initiator\'s real payload fails beta\'s signature check (h differs)', async () => {
    const { a, b } = await pairedEndpoints();
    const mallory = track(await HostileListener.start());
    const malloryId = DeviceIdentity.generate();
    const watchB = new VictimWatch(b);
    a.consent.on('request', (r) => a.consent.answer(r.id, 'deny'));
    const dialing = assert.rejects(a.sessions.dial('127.0.0.1', mallory.port), refused('CONSENT_DENIED'));
    const victim = await mallory.nextPeer();
    const toAlpha = new HostileNoise(false, await victim.preamble);
    toAlpha.read((await victim.nextFrame()).body);
    victim.write(frame(HANDSHAKE, toAlpha.write(signedPayload(malloryId, 'responder', 'beta'))));
    const alphaPayload = toAlpha.read((await victim.nextFrame()).body).payload;
    assert.deepEqual(Buffer.from(decodePayload(alphaPayload).identityKey), Buffer.from(a.identity.publicKey), 'alpha\'s genuine payload');
    await dialing;

    // Beta trusts alpha: only the signature over h stands between mallory and a trusted session.
    const attack = await hostileHandshake(b.port, { payload: alphaPayload });
    track(attack.peer);
    await attack.peer.waitClosed();
    assert.deepEqual(attack.peer.remainingFrames().map((f) => f.raw), [GENERIC_ABORT]);
    watchB.assertUntouched('beta');
    assert.equal(a.sessions.sessions().length, 0);
  });
});
