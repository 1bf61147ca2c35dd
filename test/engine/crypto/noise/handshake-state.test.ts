// HandshakeState (spec §5.3): every pattern in the table end to end, the generator path against
// the sync path, zeroing on split and destroy, turn-taking, and option validation.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { nobleChaChaPoly } from '../../../support/noise-kit';
import { x25519 } from '../../../support/noise-kit';
import { type KeyPair } from '../../../../engine/crypto/noise/dh';
import { BLAKE2b, BLAKE2s, SHA256, SHA512, type NoiseHash } from '../../../../engine/crypto/noise/hash';
import {
  HandshakeState,
  type HandshakeOptions,
  type HandshakeRequest,
} from '../../../../engine/crypto/noise/handshake-state';
import { HANDSHAKE_PATTERNS, usesLocalStatic, usesPsk, type PatternName } from '../../../../engine/crypto/noise/patterns';
import { SymmetricState } from '../../../../engine/crypto/noise/symmetric-state';
import { failsWith as code } from '../../../support/errors';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const allZero = (b: Uint8Array) => b.every((x) => x === 0);

interface Keys {
  is: KeyPair;
  rs: KeyPair;
  ie?: KeyPair;
  re?: KeyPair;
}

function makePair(pattern: PatternName, keys: Keys, hash: NoiseHash = SHA256, extra: Partial<HandshakeOptions> = {}) {
  const p = HANDSHAKE_PATTERNS[pattern];
  // PSK patterns: one random psk for both sides (spec §9).
  const psk = usesPsk(p) ? { psk: new Uint8Array(randomBytes(32)) } : {};
  const base = { pattern, prologue: Buffer.from('memcloud test'), hash, cipher: nobleChaChaPoly, dh: x25519, ...psk, ...extra };
  const init = new HandshakeState({
    ...base,
    initiator: true,
    s: usesLocalStatic(p, true) ? keys.is : undefined,
    e: keys.ie,
    rs: p.responderPre.includes('s') ? keys.rs.publicKey : undefined,
  });
  const resp = new HandshakeState({
    ...base,
    initiator: false,
    s: usesLocalStatic(p, false) ? keys.rs : undefined,
    e: keys.re,
    rs: p.initiatorPre.includes('s') ? keys.is.publicKey : undefined,
  });
  return { init, resp };
}

function randomKeys(): Keys {
  return { is: x25519.generateKeyPair(), rs: x25519.generateKeyPair() };
}

/** Runs the whole handshake with the sync API; returns the messages sent. */
function runSync(init: HandshakeState, resp: HandshakeState, count: number): Uint8Array[] {
  const messages: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const [sender, receiver] = i % 2 === 0 ? [init, resp] : [resp, init];
    const payload = randomBytes(i * 5);
    const msg = sender.writeMessage(payload);
    assert.equal(hex(receiver.readMessage(msg)), hex(payload), `payload ${i}`);
    messages.push(msg);
  }
  return messages;
}

describe('HandshakeState', () => {
  const hashes = [SHA256, SHA512, BLAKE2s, BLAKE2b];
  (Object.keys(HANDSHAKE_PATTERNS) as PatternName[]).forEach((pattern, index) => {
    const hash = hashes[index % hashes.length]!;
    test(`${pattern} (${hash.name}) with random keys: both roles complete and talk`, () => {
      const keys = randomKeys();
      const { init, resp } = makePair(pattern, keys, hash);
      const count = HANDSHAKE_PATTERNS[pattern].messages.length;
      runSync(init, resp, count);
      assert.ok(init.complete && resp.complete);
      assert.equal(hex(init.handshakeHash), hex(resp.handshakeHash));
      const p = HANDSHAKE_PATTERNS[pattern];
      if (usesLocalStatic(p, false)) assert.equal(hex(init.remoteStatic!), hex(keys.rs.publicKey));
      else assert.equal(init.remoteStatic, null);
      if (usesLocalStatic(p, true)) assert.equal(hex(resp.remoteStatic!), hex(keys.is.publicKey));
      else assert.equal(resp.remoteStatic, null);
      assert.equal(hex(init.remoteEphemeral!), hex(resp.localEphemeral!.publicKey));

      const a = init.split();
      const b = resp.split();
      assert.equal(hex(a.handshakeHash), hex(b.handshakeHash));
      assert.equal(hex(a.send.exportKey()), hex(b.receive.exportKey()));
      assert.equal(hex(a.receive.exportKey()), hex(b.send.exportKey()));
      assert.notEqual(hex(a.send.exportKey()), hex(a.receive.exportKey()));
      for (let i = 0; i < 3; i++) {
        const up = randomBytes(20);
        const down = randomBytes(30);
        assert.equal(hex(b.receive.decryptWithAd(new Uint8Array(0), a.send.encryptWithAd(new Uint8Array(0), up))), hex(up));
        assert.equal(hex(a.receive.decryptWithAd(new Uint8Array(0), b.send.encryptWithAd(new Uint8Array(0), down))), hex(down));
      }
    });
  });

  for (const pattern of ['XX', 'NN'] as const) {
    test(`${pattern}: the generator path gives exactly the sync path's bytes`, () => {
      const fixed = { ...randomKeys(), ie: x25519.generateKeyPair(), re: x25519.generateKeyPair() };
      const sync = makePair(pattern, fixed);
      const count = HANDSHAKE_PATTERNS[pattern].messages.length;
      const payloads = Array.from({ length: count }, (_, i) => randomBytes(3 + i));

      // Generator pair: no preset ephemerals, so they must be requested; every request recorded.
      const gen = makePair(pattern, { is: fixed.is, rs: fixed.rs });
      const requests: string[] = [];
      const drive = <T>(steps: Generator<HandshakeRequest, T, unknown>, ephemeral: KeyPair, payload: Uint8Array | null): T => {
        let next = steps.next();
        while (!next.done) {
          const r = next.value;
          requests.push(r.kind === 'dh' ? `dh:${r.token}` : r.kind);
          let answer: unknown;
          if (r.kind === 'dh') answer = x25519.dh(r.secretKey, r.publicKey);
          else if (r.kind === 'ephemeral') answer = { publicKey: ephemeral.publicKey, secretKey: ephemeral.secretKey.slice() };
          else answer = payload;
          next = steps.next(answer);
        }
        return next.value;
      };

      for (let i = 0; i < count; i++) {
        const fromInit = i % 2 === 0;
        const expected = (fromInit ? sync.init : sync.resp).writeMessage(payloads[i]!);
        (fromInit ? sync.resp : sync.init).readMessage(expected);
        const [sender, receiver] = fromInit ? [gen.init, gen.resp] : [gen.resp, gen.init];
        const hBefore = sender.handshakeHash;
        const msg = drive(sender.writeSteps(), fromInit ? fixed.ie : fixed.re, payloads[i]!);
        assert.equal(hex(msg), hex(expected), `message ${i}`);
        const read = drive(receiver.readSteps(msg), fixed.ie, null);
        assert.equal(hex(read.payload), hex(payloads[i]!));
        assert.notEqual(hex(read.handshakeHashBeforePayload), hex(hBefore), 'h moved during the tokens');
      }
      assert.equal(hex(gen.init.handshakeHash), hex(sync.init.handshakeHash));
      assert.equal(hex(gen.resp.handshakeHash), hex(sync.resp.handshakeHash));
      const expectedRequests =
        pattern === 'XX'
          ? ['ephemeral', 'payload', 'ephemeral', 'dh:ee', 'dh:es', 'payload', 'dh:ee', 'dh:es', 'dh:se', 'payload', 'dh:se']
          : ['ephemeral', 'payload', 'ephemeral', 'dh:ee', 'payload', 'dh:ee'];
      assert.deepEqual(requests, expectedRequests);
    });
  }

  test('requests carry the right keys, and payload requests carry h before the payload', () => {
    const keys = { ...randomKeys(), ie: x25519.generateKeyPair(), re: x25519.generateKeyPair() };
    const { init, resp } = makePair('XX', keys);
    resp.readMessage(init.writeMessage(new Uint8Array(0)));
    const seen: Record<string, [string, string]> = {};
    const steps = resp.writeSteps();
    let next = steps.next();
    let signedHash = '';
    while (!next.done) {
      const r = next.value;
      if (r.kind === 'dh') {
        seen[r.token] = [hex(r.secretKey), hex(r.publicKey)];
        next = steps.next(x25519.dh(r.secretKey, r.publicKey));
      } else if (r.kind === 'payload') {
        signedHash = hex(r.handshakeHash);
        next = steps.next(Buffer.from('signed'));
      } else {
        assert.fail('ephemeral was preset');
      }
    }
    // Responder: ee = DH(e, re); es = DH(s, re) (the initiator's e with the responder's s).
    assert.deepEqual(seen, {
      ee: [hex(keys.re.secretKey), hex(keys.ie.publicKey)],
      es: [hex(keys.rs.secretKey), hex(keys.ie.publicKey)],
    });
    const read = init.readSteps(next.value);
    let r = read.next();
    while (!r.done) r = read.next(r.value.kind === 'dh' ? x25519.dh(r.value.secretKey, r.value.publicKey) : undefined);
    assert.equal(hex(r.value.handshakeHashBeforePayload), signedHash);
    assert.equal(Buffer.from(r.value.payload).toString(), 'signed');
  });

  test('split zeroes the ephemeral secret and the chaining key in place', (t) => {
    const captured: Uint8Array[] = [];
    const original = SymmetricState.prototype.split;
    t.after(() => {
      SymmetricState.prototype.split = original;
    });
    SymmetricState.prototype.split = function (this: SymmetricState) {
      captured.push(this.chainingKey);
      assert.ok(!allZero(this.chainingKey), 'ck is live before split');
      return original.call(this);
    };
    const { init, resp } = makePair('XX', randomKeys());
    runSync(init, resp, 3);
    const e = init.localEphemeral!;
    assert.ok(!allZero(e.secretKey));
    init.split();
    resp.split();
    assert.equal(captured.length, 2);
    for (const ck of captured) assert.ok(allZero(ck), 'ck zeroed');
    assert.ok(allZero(e.secretKey), 'initiator e zeroed');
    assert.ok(allZero(resp.localEphemeral!.secretKey), 'responder e zeroed');
    assert.ok(!allZero(init.handshakeHash), 'h survives split');
  });

  test('the caller keeps its own static and preset ephemeral: they are copied, not zeroed', () => {
    const keys = { ...randomKeys(), ie: x25519.generateKeyPair() };
    const before = hex(keys.is.secretKey) + hex(keys.ie.secretKey);
    const { init, resp } = makePair('XX', keys);
    runSync(init, resp, 3);
    init.split();
    assert.equal(hex(keys.is.secretKey) + hex(keys.ie.secretKey), before);
  });

  test('destroy zeroes the ephemeral, is idempotent, and ends the handshake', () => {
    const { init, resp } = makePair('NN', randomKeys());
    resp.readMessage(init.writeMessage(new Uint8Array(0)));
    const e = init.localEphemeral!;
    init.destroy();
    init.destroy();
    assert.ok(allZero(e.secretKey));
    assert.throws(() => init.readMessage(resp.writeMessage(new Uint8Array(0))), code('HANDSHAKE_FAILED'));
  });

  test('out-of-turn use throws', () => {
    const { init, resp } = makePair('XX', randomKeys());
    assert.throws(() => resp.writeMessage(new Uint8Array(0)), code('HANDSHAKE_FAILED'), 'responder writes first');
    assert.throws(() => init.readMessage(new Uint8Array(64)), code('HANDSHAKE_FAILED'), 'initiator reads first');
    // Those refusals left both states usable.
    const msg1 = init.writeMessage(new Uint8Array(0));
    assert.throws(() => init.writeMessage(new Uint8Array(0)), code('HANDSHAKE_FAILED'), 'initiator writes twice');
    assert.throws(() => init.split(), code('HANDSHAKE_FAILED'), 'split before completion');
    resp.readMessage(msg1);
    const pending = resp.writeSteps();
    assert.throws(() => resp.writeSteps(), code('HANDSHAKE_FAILED'), 'a second write while one is in progress');
    let next = pending.next();
    while (!next.done) {
      const r = next.value;
      next = pending.next(r.kind === 'dh' ? x25519.dh(r.secretKey, r.publicKey) : r.kind === 'payload' ? new Uint8Array(0) : x25519.generateKeyPair());
    }
    init.readMessage(next.value);
    resp.readMessage(init.writeMessage(new Uint8Array(0)));
    assert.ok(init.complete && resp.complete);
    assert.throws(() => init.writeMessage(new Uint8Array(0)), code('HANDSHAKE_FAILED'), 'write after completion');
    assert.throws(() => resp.readMessage(new Uint8Array(64)), code('HANDSHAKE_FAILED'), 'read after completion');
    init.split();
    assert.throws(() => init.split(), code('HANDSHAKE_FAILED'), 'split twice');
  });

  test('options are validated up front', () => {
    const base = { prologue: new Uint8Array(0), hash: SHA256, cipher: nobleChaChaPoly, dh: x25519 };
    const s = x25519.generateKeyPair();
    const bad: [string, () => unknown][] = [
      ['unknown pattern', () => new HandshakeState({ ...base, pattern: 'ZZ' as PatternName, initiator: true })],
      ['XX without s', () => new HandshakeState({ ...base, pattern: 'XX', initiator: true })],
      ['NN with s', () => new HandshakeState({ ...base, pattern: 'NN', initiator: true, s })],
      ['XX with rs', () => new HandshakeState({ ...base, pattern: 'XX', initiator: true, s, rs: s.publicKey })],
      ['NK initiator without rs', () => new HandshakeState({ ...base, pattern: 'NK', initiator: true })],
      ['short rs', () => new HandshakeState({ ...base, pattern: 'NK', initiator: true, rs: new Uint8Array(31) })],
      ['short s', () => new HandshakeState({ ...base, pattern: 'XX', initiator: true, s: { ...s, secretKey: new Uint8Array(16) } })],
      ['re without pre-message e', () => new HandshakeState({ ...base, pattern: 'NN', initiator: true, re: s.publicKey })],
      ['maxMessageLength too big', () => new HandshakeState({ ...base, pattern: 'NN', initiator: true, maxMessageLength: 65536 })],
      ['maxMessageLength zero', () => new HandshakeState({ ...base, pattern: 'NN', initiator: true, maxMessageLength: 0 })],
    ];
    for (const [what, make] of bad) assert.throws(make, code('BAD_ARGUMENT'), what);
    assert.ok(new HandshakeState({ ...base, pattern: 'NK', initiator: false, s }));
  });
});
