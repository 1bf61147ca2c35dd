// HandshakeState under attack or misuse: every byte of every handshake message flipped in turn,
// truncated and over-long messages, a wrong prologue, low-order keys, bad or abandoned generator
// answers. After any failure the state must refuse further use.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { isMemCloudError } from '../../../../engine/errors';
import { nobleChaChaPoly } from '../../../support/noise-kit';
import { x25519 } from '../../../support/noise-kit';
import { type KeyPair } from '../../../../engine/crypto/noise/dh';
import { SHA256 } from '../../../../engine/crypto/noise/hash';
import { HandshakeState, type HandshakeOptions } from '../../../../engine/crypto/noise/handshake-state';
import { failsWith as code } from '../../../support/errors';


// Fixed keys so every run of a pattern produces the same bytes until something is tampered with.
const keys = {
  is: x25519.generateKeyPair(),
  rs: x25519.generateKeyPair(),
  ie: x25519.generateKeyPair(),
  re: x25519.generateKeyPair(),
};
const payloads = [randomBytes(4), randomBytes(4), randomBytes(4)];
const messageCount = { XX: 3, NN: 2 } as const;

function makePair(pattern: 'XX' | 'NN', extra: { initiator?: Partial<HandshakeOptions>; responder?: Partial<HandshakeOptions> } = {}) {
  const base = { pattern, prologue: Buffer.from('p'), hash: SHA256, cipher: nobleChaChaPoly, dh: x25519 };
  const s = (k: KeyPair) => (pattern === 'XX' ? k : undefined);
  return {
    init: new HandshakeState({ ...base, initiator: true, s: s(keys.is), e: keys.ie, ...extra.initiator }),
    resp: new HandshakeState({ ...base, initiator: false, s: s(keys.rs), e: keys.re, ...extra.responder }),
  };
}

/** Runs the handshake, letting `edit` rewrite message k; returns the index and error of the first failed read. */
function runUntilFailure(pattern: 'XX' | 'NN', k: number, edit: (m: Uint8Array) => Uint8Array) {
  const { init, resp } = makePair(pattern);
  for (let i = 0; i < messageCount[pattern]; i++) {
    const [sender, receiver] = i % 2 === 0 ? [init, resp] : [resp, init];
    let msg = sender.writeMessage(payloads[i]!);
    if (i === k) msg = edit(msg);
    try {
      receiver.readMessage(msg);
    } catch (err) {
      // Unusable afterwards: even the genuine next step is refused.
      assert.throws(() => receiver.readMessage(msg), code('HANDSHAKE_FAILED'));
      assert.ok(!receiver.complete);
      return { at: i, err };
    }
  }
  return null;
}

describe('HandshakeState failures', () => {
  for (const pattern of ['XX', 'NN'] as const) {
    test(`${pattern}: flipping any single byte of any handshake message fails the handshake`, () => {
      const clean = runUntilFailure(pattern, -1, (m) => m);
      assert.equal(clean, null, 'untampered handshake succeeds');
      for (let k = 0; k < messageCount[pattern]; k++) {
        const length = makeLength(pattern, k);
        for (let j = 0; j < length; j++) {
          const failure = runUntilFailure(pattern, k, (m) => {
            m[j]! ^= 0xff;
            return m;
          });
          assert.ok(failure, `message ${k} byte ${j}: tampering went unnoticed`);
          // Detected by the receiver, or at the latest when the reply to it is read.
          assert.ok(failure.at <= k + 1, `message ${k} byte ${j}: detected too late`);
          assert.ok(isMemCloudError(failure.err, 'DECRYPT_FAILED'), `message ${k} byte ${j}: ${String(failure.err)}`);
        }
      }
    });
  }

  // Spec minimum lengths: e = 32; s = 32 + 16 once a key exists; payload tag 16 once a key exists.
  const minimum = { XX: [32, 32 + 48 + 16, 48 + 16], NN: [32, 32 + 16] } as const;

  for (const pattern of ['XX', 'NN'] as const) {
    test(`${pattern}: truncated messages fail (FRAME_MALFORMED below the minimum, DECRYPT_FAILED above)`, () => {
      for (let k = 0; k < messageCount[pattern]; k++) {
        const full = makeLength(pattern, k);
        const keyed = k > 0;
        for (let length = 0; length < full; length++) {
          const failure = runUntilFailure(pattern, k, (m) => m.subarray(0, length));
          if (length < minimum[pattern][k]) {
            assert.ok(failure && failure.at === k, `message ${k} cut to ${length}`);
            assert.ok(isMemCloudError(failure.err, 'FRAME_MALFORMED'), `message ${k} cut to ${length}: ${String(failure.err)}`);
          } else if (keyed) {
            assert.ok(failure && failure.at === k, `message ${k} cut to ${length}`);
            assert.ok(isMemCloudError(failure.err, 'DECRYPT_FAILED'), `message ${k} cut to ${length}: ${String(failure.err)}`);
          } else {
            // An unkeyed first message can lose payload bytes unnoticed until the transcript is checked.
            assert.ok(failure && failure.at === k + 1 && isMemCloudError(failure.err, 'DECRYPT_FAILED'));
          }
        }
      }
    });
  }

  test('lengths are checked when readSteps is called, before any DH is requested', () => {
    const { init, resp } = makePair('XX');
    resp.readMessage(init.writeMessage(new Uint8Array(0)));
    const msg2 = resp.writeMessage(new Uint8Array(0));
    assert.equal(msg2.length, 96);
    // A message one byte short of e + encrypted s + tag: no generator is even returned.
    assert.throws(() => init.readSteps(msg2.subarray(0, 95)), code('FRAME_MALFORMED'));
    assert.throws(() => init.readSteps(msg2), code('HANDSHAKE_FAILED'));
  });

  test('over-long messages fail with FRAME_MALFORMED, before any crypto, and end the handshake', () => {
    const { init, resp } = makePair('NN');
    const msg1 = init.writeMessage(payloads[0]!);
    const padded = new Uint8Array(65536);
    padded.set(msg1);
    assert.throws(() => resp.readMessage(padded), code('FRAME_MALFORMED'));
    assert.throws(() => resp.readMessage(msg1), code('HANDSHAKE_FAILED'), 'no retry after a malformed frame');

    // A lower limit: a message at the limit is read, one byte over is refused before any crypto.
    const atLimit = makePair('XX', { initiator: { maxMessageLength: 100 } });
    atLimit.resp.readMessage(atLimit.init.writeMessage(new Uint8Array(0)));
    const reply = atLimit.resp.writeMessage(new Uint8Array(4)); // 32 + 48 + 4 + 16
    assert.equal(reply.length, 100);
    assert.equal(atLimit.init.readMessage(reply).length, 4);
    const overLimit = makePair('XX', { initiator: { maxMessageLength: 99 } });
    overLimit.resp.readMessage(overLimit.init.writeMessage(new Uint8Array(0)));
    assert.throws(() => overLimit.init.readMessage(overLimit.resp.writeMessage(new Uint8Array(4))), code('FRAME_MALFORMED'));
  });

  test('a message of exactly 65535 bytes is accepted; a payload that would exceed it is FRAME_TOO_LARGE', () => {
    const { init, resp } = makePair('NN');
    const msg = init.writeMessage(new Uint8Array(65535 - 32));
    assert.equal(msg.length, 65535);
    assert.equal(resp.readMessage(msg).length, 65535 - 32);
    const other = makePair('NN');
    assert.throws(() => other.init.writeMessage(new Uint8Array(65535 - 31)), code('FRAME_TOO_LARGE'));
    assert.throws(() => other.init.writeMessage(new Uint8Array(0)), code('HANDSHAKE_FAILED'), 'writer unusable afterwards');
  });

  for (const pattern of ['XX', 'NN'] as const) {
    test(`${pattern}: a different prologue on each side fails at the first authenticated read`, () => {
      const { init, resp } = makePair(pattern, { responder: { prologue: Buffer.from('q') } });
      resp.readMessage(init.writeMessage(payloads[0]!));
      assert.throws(() => init.readMessage(resp.writeMessage(payloads[1]!)), code('DECRYPT_FAILED'));
    });
  }

  test('a low-order ephemeral from the peer fails with HANDSHAKE_FAILED', () => {
    const { resp } = makePair('XX');
    resp.readMessage(new Uint8Array(32)); // e = the all-zero point, empty payload
    assert.throws(() => resp.writeMessage(new Uint8Array(0)), code('HANDSHAKE_FAILED'));
    assert.ok(resp.localEphemeral && resp.localEphemeral.secretKey.every((x) => x === 0), 'destroyed on failure');
  });

  test('generator answers are checked: wrong types and all-zero DH results are refused', () => {
    const answers: [string, unknown][] = [
      ['BAD_ARGUMENT', 'not bytes'],
      ['BAD_ARGUMENT', new Uint8Array(31)],
      ['HANDSHAKE_FAILED', new Uint8Array(32)],
    ];
    for (const [expected, answer] of answers) {
      const { init, resp } = makePair('NN');
      resp.readMessage(init.writeMessage(new Uint8Array(0)));
      const steps = resp.writeSteps();
      const first = steps.next();
      assert.equal(first.done, false);
      assert.throws(() => steps.next(answer), code(expected));
      assert.throws(() => resp.writeMessage(new Uint8Array(0)), code('HANDSHAKE_FAILED'));
    }
    const { init } = makePair('NN', { initiator: { e: undefined } });
    const steps = init.writeSteps();
    const request = steps.next();
    assert.ok(!request.done && request.value.kind === 'ephemeral');
    assert.throws(() => steps.next({ publicKey: new Uint8Array(32) }), code('BAD_ARGUMENT'));
  });

  test('abandoning, failing or destroying mid-step ends the handshake', () => {
    // it.return(): the caller gave up (e.g. a timeout); the state is destroyed.
    const a = makePair('NN');
    a.resp.readMessage(a.init.writeMessage(new Uint8Array(0)));
    const returned = a.resp.writeSteps();
    returned.next();
    returned.return(new Uint8Array(0));
    assert.ok(a.resp.localEphemeral!.secretKey.every((x) => x === 0));
    assert.throws(() => a.resp.writeMessage(new Uint8Array(0)), code('HANDSHAKE_FAILED'));

    // it.throw(err): a worker failed; err comes back out and the state is destroyed.
    const b = makePair('NN');
    b.resp.readMessage(b.init.writeMessage(new Uint8Array(0)));
    const thrown = b.resp.writeSteps();
    thrown.next();
    const workerError = new Error('worker died');
    assert.throws(() => thrown.throw(workerError), (e) => e === workerError);
    assert.throws(() => b.resp.writeMessage(new Uint8Array(0)), code('HANDSHAKE_FAILED'));

    // destroy() while a request is out: the late answer is refused.
    const c = makePair('NN');
    c.resp.readMessage(c.init.writeMessage(new Uint8Array(0)));
    const late = c.resp.writeSteps();
    const request = late.next();
    assert.ok(!request.done && request.value.kind === 'dh');
    const answer = x25519.dh(keys.re.secretKey, keys.ie.publicKey);
    c.resp.destroy();
    assert.throws(() => late.next(answer), code('HANDSHAKE_FAILED'));
  });
});

/** Length of handshake message k in an untampered run. */
function makeLength(pattern: 'XX' | 'NN', k: number): number {
  let length = 0;
  runUntilFailure(pattern, k, (m) => {
    length = m.length;
    return m;
  });
  return length;
}
