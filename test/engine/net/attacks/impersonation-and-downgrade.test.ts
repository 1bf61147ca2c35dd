// Attacks 3 and 4 over real TCP on 127.0.0.1: claiming a trusted identity without its private key,
// and tampering with the prologue-bound preamble (version, flags, magic).

import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DeviceIdentity } from '../../../../engine/identity/device-identity';
import { signatureMessage } from '../../../../engine/net/handshake-payload';
import { closeSharedPool, createEndpoint, pair, type Endpoint } from '../../../support/endpoints';
import { closeAfterEach } from '../../../support/attacks/cleanup';
import { hostileHandshake } from '../../../support/attacks/hostile-initiator';
import { HostileNoise, decodePayload, payload } from '../../../support/attacks/hostile-noise';
import { MitmProxy } from '../../../support/attacks/mitm-proxy';
import { HostileListener, RawPeer } from '../../../support/attacks/raw-peer';
import { VictimWatch } from '../../../support/attacks/victim-watch';
import { ABORT, GENERIC_ABORT, HANDSHAKE, assertGenericAborts, frame, preamble, types } from '../../../support/attacks/wire-bytes';
import { failsWith } from '../../../support/errors';

after(closeSharedPool);


/** The small-order identity point, and a "signature" (R = identity, S = 0) valid for it over any message. */
const SMALL_ORDER_KEY = Uint8Array.from({ length: 32 }, (_, i) => (i === 0 ? 1 : 0));
const UNIVERSAL_SIGNATURE = Uint8Array.from({ length: 64 }, (_, i) => (i === 0 ? 1 : 0));

describe('attack 3: impersonating a trusted device without its private key', () => {
  const track = closeAfterEach();

  async function victims(backend: 'noble' | 'native' = 'native'): Promise<{ a: Endpoint; b: Endpoint }> {
    const a = track(await createEndpoint({ name: 'alpha', backend }));
    const b = track(await createEndpoint({ name: 'beta', backend }));
    await pair(a, b);
    return { a, b };
  }

  /** Runs a hostile initiator against b with this payload; b must answer message 3 with ABORT only. */
  async function refusedByBeta(b: Endpoint, source: Parameters<typeof hostileHandshake>[1]): Promise<void> {
    const watch = new VictimWatch(b);
    const attack = await hostileHandshake(b.port, source);
    track(attack.peer);
    await attack.peer.waitClosed();
    assert.deepEqual(attack.peer.remainingFrames().map((f) => f.raw), [GENERIC_ABORT], 'message 3 answered with ABORT');
    assertGenericAborts(attack.peer.frames, 'beta');
    watch.assertUntouched('impersonation');
    watch.stop();
  }

  test('3. claiming alpha\'s key but signing with another key is refused', async () => {
    const { a, b } = await victims();
    const mallory = DeviceIdentity.generate();
    await refusedByBeta(b, {
      payload: (h) => payload({ identityKey: a.identity.publicKey, signature: mallory.sign(signatureMessage('initiator', h)), name: 'alpha' }),
    });
  });

  test('3. claiming alpha\'s key with a signature copied from an earlier handshake is refused', async () => {
    const { a, b } = await victims();
    // Mallory harvests alpha's real signature by answering one of alpha's dials itself.
    const listener = track(await HostileListener.start());
    a.consent.on('request', (r) => a.consent.answer(r.id, 'deny'));
    const harvest = assert.rejects(a.sessions.dial('127.0.0.1', listener.port), failsWith('CONSENT_DENIED'));
    const victim = await listener.nextPeer();
    const noise = new HostileNoise(false, await victim.preamble);
    noise.read((await victim.nextFrame()).body);
    const mallory = DeviceIdentity.generate();
    victim.write(frame(HANDSHAKE, noise.write((h) => payload({ identityKey: mallory.publicKey, signature: mallory.sign(signatureMessage('responder', h)) }))));
    const old = decodePayload(noise.read((await victim.nextFrame()).body).payload);
    await harvest;
    assert.deepEqual(Buffer.from(old.identityKey), Buffer.from(a.identity.publicKey));
    await refusedByBeta(b, { payload: payload({ identityKey: old.identityKey, signature: old.signature, name: old.name }) });
  });

  for (const backend of ['noble', 'native'] as const) {
    test(`3. (${backend}) a small-order identity key with a signature valid for every message is refused`, async () => {
      const { b } = await victims(backend);
      await refusedByBeta(b, { payload: payload({ identityKey: SMALL_ORDER_KEY, signature: UNIVERSAL_SIGNATURE }) });
    });
  }

  test('3. a responder claiming beta\'s key without beta\'s private key: alpha aborts before revealing itself', async () => {
    const { a, b } = await victims();
    const watch = new VictimWatch(a);
    const listener = track(await HostileListener.start());
    const dialing = assert.rejects(a.sessions.dial('127.0.0.1', listener.port), failsWith('HANDSHAKE_FAILED'));
    const victim = await listener.nextPeer();
    const noise = new HostileNoise(false, await victim.preamble);
    noise.read((await victim.nextFrame()).body);
    const mallory = DeviceIdentity.generate();
    victim.write(frame(HANDSHAKE, noise.write((h) => payload({ identityKey: b.identity.publicKey, signature: mallory.sign(signatureMessage('responder', h)), name: 'beta' }))));
    await dialing;
    await victim.waitClosed();
    assert.deepEqual(victim.remainingFrames().map((f) => f.raw), [GENERIC_ABORT], 'ABORT, never message 3');
    watch.assertUntouched('alpha');
  });
});

describe('attack 4: downgrade and preamble tampering', () => {
  const track = closeAfterEach();

  // Beta refuses a bad magic or version at once; flags are ignored by beta but bound by the
  // prologue, so alpha cannot decrypt message 2 and refuses.
  type Case = { what: string; edit: (p: Buffer) => void; refuser: 'alpha' | 'beta'; aliceSees: string };
  const flip = (i: number) => (p: Buffer) => void (p[i]! ^= 0xff);
  const cases: Case[] = [
    ...[0, 1, 2, 3].map((i): Case => ({ what: `magic byte ${i} flipped`, edit: flip(i), refuser: 'beta', aliceSees: 'HANDSHAKE_FAILED' })),
    ...[4, 5].map((i): Case => ({ what: `version byte ${i} flipped`, edit: flip(i), refuser: 'beta', aliceSees: 'HANDSHAKE_FAILED' })),
    { what: 'version set to 2', edit: (p) => void p.writeUInt16BE(2, 4), refuser: 'beta', aliceSees: 'HANDSHAKE_FAILED' },
    { what: 'version set to 0', edit: (p) => void p.writeUInt16BE(0, 4), refuser: 'beta', aliceSees: 'HANDSHAKE_FAILED' },
    { what: 'flags byte 6 flipped', edit: flip(6), refuser: 'alpha', aliceSees: 'DECRYPT_FAILED' },
    // Alpha sends flags 0001 (it reads tickets, section 13.1); ff fe asks beta to read message 1 as
    // a resume message, which 32 bytes cannot be: beta refuses.
    { what: 'flags byte 7 flipped', edit: flip(7), refuser: 'beta', aliceSees: 'HANDSHAKE_FAILED' },
    { what: 'flags set to 0000', edit: (p) => void p.writeUInt16BE(0, 6), refuser: 'alpha', aliceSees: 'DECRYPT_FAILED' },
  ];

  test('4. a proxy altering any byte of the preamble: the handshake fails on both sides, no session', async () => {
    const a = track(await createEndpoint({ name: 'alpha', backend: 'native' }));
    const b = track(await createEndpoint({ name: 'beta', backend: 'native' }));
    await pair(a, b);
    let current = cases[0]!;
    const proxy = track(
      await MitmProxy.start(b.port, {
        preamble: (_c, bytes) => {
          const edited = Buffer.from(bytes);
          current.edit(edited);
          return edited;
        },
      }),
    );
    const watchA = new VictimWatch(a);
    const watchB = new VictimWatch(b);
    for (const c of cases) {
      current = c;
      await assert.rejects(a.sessions.dial('127.0.0.1', proxy.port), failsWith(c.aliceSees), c.what);
      const conn = await proxy.latest();
      await conn.closed;
      const { up, down } = conn.frames;
      if (c.refuser === 'beta') {
        assert.deepEqual(types(down), [ABORT], `${c.what}: beta answers with ABORT, not message 2`);
        assert.deepEqual(types(up), [HANDSHAKE], `${c.what}: alpha sent message 1 only`);
      } else {
        assert.deepEqual(types(down), [HANDSHAKE], `${c.what}: beta sent message 2`);
        assert.deepEqual(types(up), [HANDSHAKE, ABORT], `${c.what}: alpha answers with ABORT, not message 3`);
      }
      assertGenericAborts(down, `${c.what}, beta`);
      assertGenericAborts(up, `${c.what}, alpha`);
    }
    watchA.assertUntouched('alpha');
    watchB.assertUntouched('beta');
  });

  test('4. a client offering version 2 (or 0, or ffff) gets the generic ABORT and nothing else', async () => {
    const b = track(await createEndpoint({ name: 'beta', backend: 'native' }));
    const watch = new VictimWatch(b);
    for (const version of [2, 0, 0xffff]) {
      const peer = track(await RawPeer.connect(b.port));
      peer.write(Buffer.concat([preamble(version), frame(HANDSHAKE, Buffer.alloc(32, 9))]));
      await peer.waitClosed();
      assert.deepEqual(peer.bytes, GENERIC_ABORT, `version ${version}`);
    }
    watch.assertUntouched('version offers');
  });
});
