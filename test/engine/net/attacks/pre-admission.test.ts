// What a stranger can make a node read before it is admitted, over real TCP on 127.0.0.1
// (docs/protocol.md sections 2, 3.2, 4 and 6): a frame is refused on its 4 length bytes, each
// handshake message has its exact or largest size, and until the node sends HELLO the peer may
// send only HELLO and CLOSE in tiny records. Every refusal is the generic ABORT, and nothing the
// size of a large message is ever allocated. The victim's deadlines are set far away (60 s), so a
// refusal seen within the tools' 10 s wait was the rule's doing, not a timeout's.

import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DeviceIdentity } from '../../../../engine/identity/device-identity';
import { closeSharedPool, createEndpoint, type Endpoint } from '../../../support/endpoints';
import { withTimeout } from '../../../support/session-helpers';
import { allocationsDuring } from '../../../support/attacks/alloc-spy';
import { closeAfterEach } from '../../../support/attacks/cleanup';
import { hostileHandshake, hostileSession } from '../../../support/attacks/hostile-initiator';
import { HostileNoise, channelMessage } from '../../../support/attacks/hostile-noise';
import { RawPeer } from '../../../support/attacks/raw-peer';
import { VictimWatch } from '../../../support/attacks/victim-watch';
import { ABORT, GENERIC_ABORT, HANDSHAKE, TRANSPORT, frame, preamble, types } from '../../../support/attacks/wire-bytes';

after(closeSharedPool);

const APP = 0;
const HELLO = 1;
const CLOSE = 2;
const PING = 3;

describe('before admission, a stranger is read in small pieces only', () => {
  const track = closeAfterEach();

  async function victim(): Promise<{ b: Endpoint; watch: VictimWatch }> {
    const b = track(await createEndpoint({ name: 'beta', backend: 'native', pool: false, handshakeTimeoutMs: 60_000, firstMessageTimeoutMs: 60_000, consentTimeoutMs: 60_000, admissionTimeoutMs: 60_000 }));
    return { b, watch: new VictimWatch(b) };
  }

  test('a frame length is refused on its 4 bytes: no type byte, no body, no timeout needed', async () => {
    const { b, watch } = await victim();
    for (const length of [[0xff, 0xff, 0xff, 0xff], [0, 0, 0, 34], [0, 1, 0, 1]]) {
      const peer = track(await RawPeer.connect(b.port));
      peer.write(Buffer.concat([preamble(), Buffer.from(length)]));
      await peer.waitClosed();
      assert.deepEqual(peer.bytes, GENERIC_ABORT, `length ${Buffer.from(length).toString('hex')}`);
    }
    watch.assertUntouched('4 length bytes');
  });

  test('message 1 is exactly 32 bytes: a 33-byte body is refused on the length', async () => {
    const { b, watch } = await victim();
    const peer = track(await RawPeer.connect(b.port));
    peer.write(Buffer.concat([preamble(), Buffer.from([0, 0, 0, 34])]));
    await peer.waitClosed();
    assert.deepEqual(peer.bytes, GENERIC_ABORT);
    const exact = track(await RawPeer.connect(b.port));
    const noise = new HostileNoise(true, preamble());
    exact.write(Buffer.concat([preamble(), frame(HANDSHAKE, noise.write())]));
    assert.equal((await exact.nextFrame()).type, HANDSHAKE, 'exactly 32 bytes: message 2 comes back');
    watch.assertUntouched('message 1 sizes');
  });

  test('message 3 over its largest size (513 bytes: a format 2 payload with the largest certificate) is refused on the length', async () => {
    const { b, watch } = await victim();
    const hs = await hostileHandshake(b.port, { frameMessage3: () => Buffer.from([0, 0, 2, 3]) });
    track(hs.peer);
    await hs.peer.waitClosed();
    assert.deepEqual(hs.peer.remainingFrames().map((f) => f.raw), [GENERIC_ABORT]);
    watch.assertUntouched('oversized message 3');
  });

  describe('after the handshake, while the victim asks its user', () => {
    /** A stranger whose handshake completed: the victim is now waiting for consent. */
    async function pending(b: Endpoint) {
      const asked = new Promise((resolve) => b.consent.once('request', resolve));
      const hs = await hostileHandshake(b.port);
      track(hs.peer);
      await asked;
      const { send, channelId } = hs.noise.split();
      return { hs, send, channelId };
    }

    test('a record larger than HELLO + CLOSE (59 bytes) is refused on its length, before allocation', async () => {
      const { b, watch } = await victim();
      const { hs } = await pending(b);
      const sizes = await allocationsDuring(async () => {
        hs.peer.write(Buffer.from([0, 0, 0x40, 0])); // a 16 KiB TRANSPORT frame announced
        await hs.peer.waitClosed();
      });
      assert.deepEqual(types(hs.peer.remainingFrames()), [ABORT]);
      assert.ok(sizes.every((n) => n < 1024), `allocations ${JSON.stringify(sizes.filter((n) => n >= 1024))}`);
      assert.equal(b.consent.list().length, 0, 'the consent request went away with the connection');
      assert.equal(watch.sessions.length, 0);
    });

    const openers: Array<[string, (channelId: Buffer) => Buffer]> = [
      ['a channel message announcing 16 MiB', () => channelMessage(APP, Buffer.alloc(0), 16 * 1024 * 1024)],
      ['APP before HELLO', () => channelMessage(APP, Buffer.from('hi'))],
      ['PING before HELLO', () => channelMessage(PING, Buffer.alloc(8))],
      ['a HELLO of 33 bytes', (id) => channelMessage(HELLO, Buffer.concat([id, Buffer.of(0)]))],
      ['HELLO then APP before the victim admitted us', (id) => Buffer.concat([channelMessage(HELLO, id), channelMessage(APP, Buffer.from('x'))])],
      ['HELLO then PING before the victim admitted us', (id) => Buffer.concat([channelMessage(HELLO, id), channelMessage(PING, Buffer.alloc(8))])],
    ];
    for (const [what, plaintext] of openers) {
      test(`${what}: ABORT, no consent left waiting`, async () => {
        const { b, watch } = await victim();
        const { hs, send, channelId } = await pending(b);
        hs.peer.write(frame(TRANSPORT, send.encryptWithAd(new Uint8Array(0), plaintext(channelId))));
        await hs.peer.waitClosed();
        assert.deepEqual(hs.peer.remainingFrames().map((f) => f.raw), [GENERIC_ABORT], what);
        assert.equal(b.consent.list().length, 0);
        assert.equal(watch.sessions.length, 0);
      });
    }

    test('HELLO then CLOSE is what a peer may say while waiting: the victim lets it go without a session', async () => {
      const { b, watch } = await victim();
      const { hs, send, channelId } = await pending(b);
      hs.peer.write(frame(TRANSPORT, send.encryptWithAd(new Uint8Array(0), Buffer.concat([channelMessage(HELLO, channelId), channelMessage(CLOSE, Buffer.of(0))]))));
      await hs.peer.waitClosed();
      assert.equal(b.consent.list().length, 0, 'the request was withdrawn');
      assert.equal(watch.sessions.length, 0);
    });
  });

  test('once open, a peer may put application data right behind its HELLO, in full-size records', async () => {
    const { b } = await victim();
    const identity = DeviceIdentity.generate();
    await b.trust.trust(identity.publicKey, { name: 'mallory', approval: 'cli' });
    // Subscribed as the node's own layers do: in the 'session' event.
    const got = withTimeout(
      new Promise<Buffer>((resolve) => b.sessions.once('session', (session) => session.channel.once('message', (m) => resolve(Buffer.from(m))))),
      10_000,
      'the message sent behind HELLO',
    );
    const big = Buffer.alloc(60_000, 7);
    const s = await hostileSession(b.port, { identity, hello: (id) => Buffer.concat([channelMessage(HELLO, id), channelMessage(APP, big)]) });
    track(s.peer);
    assert.ok((await got).equals(big), 'delivered, not lost before anyone listened');
  });
});
