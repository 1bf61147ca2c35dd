// performHandshake over an in-memory duplex pair (docs/protocol.md section 3): keys and channel id
// agree, and every refusal ends with the one generic ABORT from the side that refused.

import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { x25519 } from '../../support/noise-kit';
import { backend } from '../../../engine/crypto/backends';
import { PooledHandshakeCrypto } from '../../../engine/crypto/handshake/pooled-handshake-crypto';
import { InlineCrypto } from '../../../engine/crypto/pool/inline-crypto';
import { ErrorCodes, MemCloudError, type ErrorCode } from '../../../engine/errors';
import { DeviceIdentity } from '../../../engine/identity/device-identity';
import { FrameType } from '../../../engine/net/constants';
import { encodeFrame } from '../../../engine/net/framing';
import { performHandshake, type HandshakeOptions, type HandshakeResult, type RemoteDevice } from '../../../engine/net/handshake';
import { WireConnection, encodePreamble } from '../../../engine/net/wire-connection';
import { duplexPair, type Tap } from '../../support/attacks/duplex-pair';
import { splitFrames } from '../../support/attacks/wire-bytes';

const ABORT_BYTES = Buffer.from([0, 0, 0, 2, 3, 1]);
const inline = new InlineCrypto();

type Outcome = { ok: true; value: HandshakeResult } | { ok: false; code: ErrorCode };
const settle = (p: Promise<HandshakeResult>): Promise<Outcome> =>
  p.then((value) => ({ ok: true as const, value }), (e: MemCloudError) => ({ ok: false as const, code: e.code }));

interface Side {
  readonly identity?: DeviceIdentity;
  /** Signs with this identity's key instead (a forged binding). */
  readonly signer?: DeviceIdentity;
  readonly opts?: Partial<HandshakeOptions>;
}

function run(sides: { initiator?: Side; responder?: Side; taps?: { left?: Tap; right?: Tap } } = {}) {
  const pair = duplexPair(sides.taps);
  const connections = {
    initiator: new WireConnection(pair.left, { expectPreamble: false }),
    responder: new WireConnection(pair.right, { expectPreamble: true }),
  };
  const seen: Record<'initiator' | 'responder', RemoteDevice[]> = { initiator: [], responder: [] };
  const start = (role: 'initiator' | 'responder', side: Side = {}) => {
    const identity = side.identity ?? DeviceIdentity.generate();
    return settle(
      performHandshake({
        role,
        connection: connections[role],
        crypto: new PooledHandshakeCrypto(inline, backend('native'), side.signer ?? identity),
        staticKeyPair: x25519.generateKeyPair(),
        identityKey: identity.publicKey,
        name: role,
        offeredBytes: role === 'initiator' ? 1 : 2,
        checkRemote: (r) => void seen[role].push(r),
        ...side.opts,
      }),
    );
  };
  return {
    initiator: start('initiator', sides.initiator),
    responder: start('responder', sides.responder),
    seen,
    connections,
    /** Frames each side wrote (the initiator's after its 8-byte preamble). */
    wrote: () => ({
      initiator: splitFrames(Buffer.concat(pair.sent.left).subarray(8)).frames,
      responder: splitFrames(Buffer.concat(pair.sent.right)).frames,
    }),
  };
}

const lastFrame = (frames: ReturnType<ReturnType<typeof run>['wrote']>['initiator']) => frames.at(-1)?.raw;

describe('performHandshake', () => {
  test('both sides agree on h, the channel id and crossed keys; each learns the other\'s identity', async () => {
    const [ia, ra] = [DeviceIdentity.generate(), DeviceIdentity.generate()];
    const h = run({ initiator: { identity: ia }, responder: { identity: ra } });
    const [i, r] = await Promise.all([h.initiator, h.responder]);
    assert.ok(i.ok && r.ok);
    assert.deepEqual(i.value.handshakeHash, r.value.handshakeHash);
    assert.deepEqual(Buffer.from(i.value.channelId), Buffer.from(r.value.channelId));
    assert.deepEqual(i.value.sendKey, r.value.receiveKey);
    assert.deepEqual(i.value.receiveKey, r.value.sendKey);
    assert.notDeepEqual(i.value.sendKey, i.value.receiveKey);
    assert.deepEqual(Buffer.from(i.value.remote.identityKey), Buffer.from(ra.publicKey));
    assert.deepEqual([i.value.remote.name, i.value.remote.offeredBytes], ['responder', 2]);
    assert.deepEqual([r.value.remote.name, r.value.remote.offeredBytes], ['initiator', 1]);
    assert.deepEqual([h.seen.initiator.length, h.seen.responder.length], [1, 1], 'checkRemote ran once on each side');
    const wrote = h.wrote();
    assert.deepEqual(wrote.initiator.map((f) => f.body.length), [32, 48 + 108 + 9 + 16], 'message 1 is exactly e');
    assert.deepEqual(wrote.responder.map((f) => f.type), [FrameType.HANDSHAKE]);
  });

  test('each handshake message leaves in one write, the preamble together with message 1', async () => {
    const pair = duplexPair();
    const side = (role: 'initiator' | 'responder', socket: typeof pair.left) => {
      const identity = DeviceIdentity.generate();
      return performHandshake({
        role,
        connection: new WireConnection(socket, { expectPreamble: role === 'responder' }),
        crypto: new PooledHandshakeCrypto(inline, backend('native'), identity),
        staticKeyPair: x25519.generateKeyPair(),
        identityKey: identity.publicKey,
        name: role,
        offeredBytes: 1,
      });
    };
    await Promise.all([side('initiator', pair.left), side('responder', pair.right)]);
    // Preamble (8) || message 1 frame (5 + e); then message 3; the responder's one write is message 2.
    assert.deepEqual(pair.sent.left.map((c) => c.length).slice(0, 1), [8 + 5 + 32]);
    assert.equal(pair.sent.left.length, 2);
    assert.equal(pair.sent.right.length, 1);
    assert.equal(splitFrames(pair.sent.left[0]!.subarray(8)).frames.length, 1);
  });

  test('the responder signing with a key other than the one it claims: the initiator aborts before message 3', async () => {
    const h = run({ responder: { signer: DeviceIdentity.generate() } });
    const [i, r] = await Promise.all([h.initiator, h.responder]);
    assert.deepEqual(i, { ok: false, code: 'HANDSHAKE_FAILED' });
    assert.deepEqual(r, { ok: false, code: 'HANDSHAKE_FAILED' });
    const wrote = h.wrote();
    assert.deepEqual(wrote.initiator.map((f) => f.type), [FrameType.HANDSHAKE, FrameType.ABORT]);
    assert.deepEqual(lastFrame(wrote.initiator), ABORT_BYTES);
    assert.equal(h.seen.initiator.length, 0, 'checkRemote never saw the forged identity');
  });

  test('the initiator signing with another key: the responder aborts after message 3', async () => {
    const h = run({ initiator: { signer: DeviceIdentity.generate() } });
    const [, r] = await Promise.all([h.initiator, h.responder]);
    assert.deepEqual(r, { ok: false, code: 'HANDSHAKE_FAILED' });
    // The initiator finished its part; the ABORT reaches it right after and closes its connection.
    await new Promise((resolve) => setImmediate(resolve));
    assert.ok(h.connections.initiator.closed);
    assert.deepEqual(h.wrote().responder.map((f) => f.type), [FrameType.HANDSHAKE, FrameType.ABORT]);
    assert.deepEqual(lastFrame(h.wrote().responder), ABORT_BYTES);
    assert.equal(h.seen.responder.length, 0);
  });

  test('checkRemote refusing (an unexpected key) sends ABORT instead of message 3; the local error stays local', async () => {
    const refuse = () => {
      throw new MemCloudError(ErrorCodes.PEER_KEY_CHANGED, 'not the device we expected');
    };
    const h = run({ initiator: { opts: { checkRemote: refuse } } });
    const [i, r] = await Promise.all([h.initiator, h.responder]);
    assert.deepEqual(i, { ok: false, code: 'PEER_KEY_CHANGED' });
    assert.deepEqual(r, { ok: false, code: 'HANDSHAKE_FAILED' });
    assert.deepEqual(h.wrote().initiator.map((f) => f.raw.length), [37, 6]);
    assert.deepEqual(lastFrame(h.wrote().initiator), ABORT_BYTES);
  });

  test('a peer presenting this device\'s own identity is refused', async () => {
    const me = DeviceIdentity.generate();
    const h = run({ initiator: { identity: me }, responder: { identity: me } });
    const [i, r] = await Promise.all([h.initiator, h.responder]);
    assert.deepEqual([i.ok, r.ok], [false, false]);
    assert.deepEqual(lastFrame(h.wrote().initiator), ABORT_BYTES);
  });

  test('a silent peer: the waiting side times out with HANDSHAKE_TIMEOUT and ABORT', async () => {
    const alive = setInterval(() => undefined, 1000); // the handshake's timer is unref'd; no socket holds the loop
    after(() => clearInterval(alive));
    const pair = duplexPair();
    const connection = new WireConnection(pair.right, { expectPreamble: true });
    const identity = DeviceIdentity.generate();
    const result = await settle(
      performHandshake({
        role: 'responder', connection, crypto: new PooledHandshakeCrypto(inline, backend('native'), identity), staticKeyPair: x25519.generateKeyPair(),
        identityKey: identity.publicKey, name: 'r', offeredBytes: 0, timeoutMs: 50,
      }),
    );
    assert.deepEqual(result, { ok: false, code: 'HANDSHAKE_TIMEOUT' });
    assert.deepEqual(Buffer.concat(pair.sent.right), ABORT_BYTES);
  });

  test('version 2 in the preamble: PROTOCOL_VERSION on the responder, ABORT on the wire, no message 2', async () => {
    const h = run({ initiator: { opts: { preamble: encodePreamble(2) } } });
    const [i, r] = await Promise.all([h.initiator, h.responder]);
    assert.deepEqual(r, { ok: false, code: 'PROTOCOL_VERSION' });
    assert.deepEqual(i, { ok: false, code: 'HANDSHAKE_FAILED' });
    assert.deepEqual(Buffer.concat(h.wrote().responder.map((f) => f.raw)), ABORT_BYTES);
  });

  test('flags sent by the initiator are ignored by the responder but bound by the prologue', async () => {
    const flagged = encodePreamble();
    flagged.writeUInt16BE(0x8001, 6);
    const h = run({ initiator: { opts: { preamble: flagged } } });
    const [i, r] = await Promise.all([h.initiator, h.responder]);
    assert.ok(i.ok && r.ok, 'the same flags on both sides: accepted');
    const plain = run();
    const [pi] = await Promise.all([plain.initiator, plain.responder]);
    assert.ok(pi.ok);
    assert.notDeepEqual(i.value.handshakeHash, pi.value.handshakeHash);
  });

  test('a flipped byte in message 2 or message 3: refused with ABORT, both connections closed', async () => {
    for (const side of ['right', 'left'] as const) {
      // One write per message: the first write over 64 bytes is message 2 (responder, right) or
      // message 3 (initiator, left: its opening write, preamble and message 1, is 45 bytes).
      // Byte 40 lies inside ENC(s).
      let done = false;
      const tap: Tap = (chunk) => {
        if (done || chunk.length <= 64) return chunk;
        done = true;
        const out = Buffer.from(chunk);
        out[40]! ^= 1;
        return out;
      };
      const h = run({ taps: { [side]: tap } });
      const [i, r] = await Promise.all([h.initiator, h.responder]);
      assert.ok(done);
      assert.equal(r.ok, false, `message ${side === 'right' ? 2 : 3}: the responder fails`);
      // On message 2 the initiator refuses; on message 3 it has finished and learns from the ABORT.
      if (side === 'right') assert.equal(i.ok, false);
      await new Promise((resolve) => setImmediate(resolve));
      assert.ok(h.connections.initiator.closed && h.connections.responder.closed);
      const refuser = side === 'right' ? h.wrote().initiator : h.wrote().responder;
      assert.deepEqual(lastFrame(refuser), ABORT_BYTES);
    }
  });

  test('a TRANSPORT frame during the handshake fails it', async () => {
    const pair = duplexPair();
    const connection = new WireConnection(pair.right, { expectPreamble: true });
    const identity = DeviceIdentity.generate();
    const result = settle(
      performHandshake({
        role: 'responder', connection, crypto: new PooledHandshakeCrypto(inline, backend('native'), identity), staticKeyPair: x25519.generateKeyPair(),
        identityKey: identity.publicKey, name: 'r', offeredBytes: 0,
      }),
    );
    pair.left.write(Buffer.concat([encodePreamble(), encodeFrame(FrameType.TRANSPORT, Buffer.alloc(32))]));
    assert.deepEqual(await result, { ok: false, code: 'FRAME_MALFORMED' });
    assert.deepEqual(Buffer.concat(pair.sent.right), ABORT_BYTES);
  });

  test('a frame right behind message 3 stays queued for the secure channel', async () => {
    const h = run();
    const [i] = await Promise.all([h.initiator]);
    assert.ok(i.ok);
    h.connections.initiator.writeFrame(FrameType.TRANSPORT, Buffer.from('hello record'));
    const r = await h.responder;
    assert.ok(r.ok);
    const got: string[] = [];
    await new Promise((resolve) => setImmediate(resolve));
    h.connections.responder.setFrameListener((t, b) => got.push(`${t}:${b}`));
    assert.deepEqual(got, ['2:hello record']);
  });
});
