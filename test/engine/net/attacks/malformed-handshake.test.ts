// Attack 6, handshake half, over real TCP on 127.0.0.1: garbage instead of a preamble, garbage
// after one, every truncation of messages 1 and 3, a 4 GiB length prefix that must cost nothing, and
// low-order ephemerals.

import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConsentRequest } from '../../../../engine/consent/consent-queue';
import { DeviceIdentity } from '../../../../engine/identity/device-identity';
import { closeSharedPool, createEndpoint, type Endpoint } from '../../../support/endpoints';
import { allocationsDuring } from '../../../support/attacks/alloc-spy';
import { closeAfterEach } from '../../../support/attacks/cleanup';
import { hostileHandshake } from '../../../support/attacks/hostile-initiator';
import { RawPeer } from '../../../support/attacks/raw-peer';
import { VictimWatch } from '../../../support/attacks/victim-watch';
import { GENERIC_ABORT, HANDSHAKE, TRANSPORT, assertGenericAborts, frame, preamble } from '../../../support/attacks/wire-bytes';

after(closeSharedPool);

/** Runs fn over items, `width` at a time. */
async function inBatches<T>(items: readonly T[], width: number, fn: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += width) await Promise.all(items.slice(i, i + width).map(fn));
}

/** Sends bytes on a fresh connection; the victim must answer with exactly the generic ABORT and close. */
async function answeredWithAbort(b: Endpoint, bytes: Buffer, what: string): Promise<void> {
  const peer = await RawPeer.connect(b.port);
  try {
    peer.write(bytes);
    await peer.waitClosed();
    assert.deepEqual(peer.bytes, GENERIC_ABORT, what);
  } finally {
    peer.destroy();
  }
}

describe('attack 6: malformed input before and during the handshake', () => {
  const track = closeAfterEach();

  async function victim(): Promise<{ b: Endpoint; watch: VictimWatch }> {
    const b = track(await createEndpoint({ name: 'beta', backend: 'native' }));
    return { b, watch: new VictimWatch(b) };
  }

  test('6. garbage instead of a preamble: ABORT at the first wrong byte', async () => {
    const { b, watch } = await victim();
    const garbage: Array<[string, Buffer]> = [
      ['an HTTP request', Buffer.from('GET / HTTP/1.1\r\nHost: memcloud\r\n\r\n')],
      ['one zero byte', Buffer.from([0])],
      ['magic with its last byte wrong', Buffer.from('MCLE\x00\x01\x00\x00', 'latin1')],
      ['a TLS ClientHello prefix', Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03])],
      ['0xa5 x 4096', Buffer.alloc(4096, 0xa5)],
    ];
    for (const [what, bytes] of garbage) await answeredWithAbort(b, bytes, what);
    watch.assertUntouched('garbage preambles');
  });

  test('6. garbage after a valid preamble: bad lengths, bad types, frames out of place', async () => {
    const { b, watch } = await victim();
    const garbage: Array<[string, Buffer]> = [
      ['a 4 GiB length prefix', Buffer.from([0xff, 0xff, 0xff, 0xff, 0x01])],
      ['length 0', Buffer.from([0, 0, 0, 0, 0x01])],
      ['length 65537 (one over)', Buffer.from([0, 1, 0, 1, 0x01])],
      ['frame type 0', frame(0, Buffer.alloc(32, 7))],
      ['frame type 4', frame(4, Buffer.alloc(32, 7))],
      ['frame type 255', frame(255, Buffer.alloc(32, 7))],
      ['a TRANSPORT frame before the handshake', frame(TRANSPORT, Buffer.alloc(48, 7))],
      ['message 1 carrying a payload', frame(HANDSHAKE, Buffer.alloc(33, 9))],
      ['message 1 of 65535 bytes', frame(HANDSHAKE, Buffer.alloc(65535, 9))],
      ['0xa5 x 4096', Buffer.alloc(4096, 0xa5)],
    ];
    for (const [what, bytes] of garbage) await answeredWithAbort(b, Buffer.concat([preamble(), bytes]), what);
    watch.assertUntouched('garbage frames');
  });

  test('6. a 4 GiB length prefix is refused before anything is allocated for it', async () => {
    const { b, watch } = await victim();
    const before = process.memoryUsage().arrayBuffers;
    const sizes = await allocationsDuring(async () => {
      for (const tail of [Buffer.from([0xff, 0xff, 0xff, 0xff, 0x01]), Buffer.from([0x7f, 0xff, 0xff, 0xff, 0x02])]) {
        await answeredWithAbort(b, Buffer.concat([preamble(), tail]), 'huge length');
      }
    });
    assert.ok(sizes.length > 0, 'the spy saw the engine\'s small allocations');
    assert.ok(Math.max(...sizes) <= 65536, `largest allocation ${Math.max(...sizes)} bytes`);
    assert.ok(process.memoryUsage().arrayBuffers - before < 64 * 1024 * 1024, 'no large buffer appeared');
    watch.assertUntouched('huge length');
  });

  test('6. every truncation of message 1 is refused with ABORT', async () => {
    const { b, watch } = await victim();
    const lengths = [...Array(32).keys()];
    await inBatches(lengths, 8, (n) => answeredWithAbort(b, Buffer.concat([preamble(), frame(HANDSHAKE, Buffer.alloc(n, 9))]), `message 1 of ${n} bytes`));
    // A frame that announces 32 bytes but the connection ends after 16: closed, and no message 2.
    const peer = track(await RawPeer.connect(b.port));
    peer.write(Buffer.concat([preamble(), frame(HANDSHAKE, Buffer.alloc(32, 9)).subarray(0, 5 + 16)]));
    peer.socket.end();
    await peer.waitClosed();
    assert.equal(peer.frames.filter((f) => f.type === HANDSHAKE).length, 0);
    assertGenericAborts(peer.frames, 'ended mid-frame');
    watch.assertUntouched('truncated message 1');
  });

  test('6. every truncation of message 3 is refused with ABORT; the whole message reaches consent', async () => {
    const { b, watch } = await victim();
    const identity = DeviceIdentity.generate();
    // Control: the untruncated message 3 of this unknown device is good enough to reach consent.
    const asked = new Promise<ConsentRequest>((resolve) => b.consent.once('request', resolve));
    const control = await hostileHandshake(b.port, { identity });
    track(control.peer);
    b.consent.answer((await asked).id, 'deny');
    await control.peer.waitClosed();
    assert.deepEqual(control.peer.remainingFrames().map((f) => f.raw), [GENERIC_ABORT]);
    watch.requests.length = 0;

    const full = control.message3.length;
    assert.equal(full, 48 + 108 + 'mallory'.length + 16);
    await inBatches([...Array(full).keys()], 6, async (n) => {
      const attack = await hostileHandshake(b.port, { identity, editMessage3: (m) => m.subarray(0, n) });
      try {
        await attack.peer.waitClosed();
        assert.deepEqual(attack.peer.remainingFrames().map((f) => f.raw), [GENERIC_ABORT], `message 3 of ${n} bytes`);
      } finally {
        attack.peer.destroy();
      }
    });
    // Announced whole, cut short by the connection ending: closed without a session.
    const cut = await hostileHandshake(b.port, { identity, frameMessage3: (m) => frame(HANDSHAKE, m).subarray(0, 5 + 100) });
    track(cut.peer);
    cut.peer.socket.end();
    await cut.peer.waitClosed();
    assert.deepEqual(cut.peer.remainingFrames(), [], 'nothing after message 2');
    watch.assertUntouched('truncated message 3');
  });

  // Section 3.2: every X25519 point of small order (and the non-canonical encodings of those that
  // reduce to them), as u-coordinates in little-endian. Any of them as message 1's ephemeral makes
  // the responder's `ee` an all-zero output: refused with ABORT, never answered with message 2.
  test('6. a low-order ephemeral in message 1 is refused with ABORT instead of message 2', async () => {
    const { b, watch } = await victim();
    const le = (n: bigint) => Buffer.from(n.toString(16).padStart(64, '0'), 'hex').reverse();
    const p = 2n ** 255n - 19n;
    const order8 = [325606250916557431795983626356110631294008115727848805560023387167927233504n, 39382357235489614581723060781553021112529911719440698176882885853963445705823n];
    const points: Array<[string, Buffer]> = [
      ['u = 0', le(0n)],
      ['u = 1', le(1n)],
      ['u of order 8 (first)', le(order8[0]!)],
      ['u of order 8 (second)', le(order8[1]!)],
      ['u = p - 1', le(p - 1n)],
      ['u = p (0, non-canonical)', le(p)],
      ['u = p + 1 (1, non-canonical)', le(p + 1n)],
      ['u = 0 with the top bit set', le(2n ** 255n)],
      ['u = 1 with the top bit set', le(2n ** 255n + 1n)],
      ['u = p - 1 with the top bit set', le(2n ** 255n + p - 1n)],
    ];
    await inBatches(points, 5, ([what, e]) => answeredWithAbort(b, Buffer.concat([preamble(), frame(HANDSHAKE, e)]), what));
    watch.assertUntouched('low-order ephemerals');
  });
});
