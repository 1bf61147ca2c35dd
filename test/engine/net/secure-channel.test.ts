// SecureChannel over an in-memory duplex pair (docs/protocol.md sections 4-6): strict ordering
// when batches go inline and to a pool that finishes them out of order, HELLO rules, tampering,
// keep-alive, CLOSE, and no idle timeout while the peer is still deciding whether to admit us.

import { afterEach, describe, mock, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createAead } from '../../../engine/crypto/aead';
import { InlineCrypto } from '../../../engine/crypto/pool/inline-crypto';
import type { CryptoBackendName, CryptoOps, OpenBatchResult } from '../../../engine/crypto/pool/crypto-messages';
import type { MemCloudError } from '../../../engine/errors';
import { FrameType, MessageKind } from '../../../engine/net/constants';
import { encodeFrame } from '../../../engine/net/framing';
import type { RecordCrypto } from '../../../engine/crypto/record-crypto';
import { SecureChannel, type SecureChannelOptions } from '../../../engine/net/secure-channel';
import { WireConnection } from '../../../engine/net/wire-connection';
import { duplexPair, type Tap } from '../../support/attacks/duplex-pair';
import { channelMessage } from '../../support/attacks/hostile-noise';

const aead = createAead('noble');

/** A pool that holds each call until the next turn of the loop and then finishes them newest first. */
class ShufflingPool implements CryptoOps {
  calls = 0;
  private held: Array<() => void> = [];
  private readonly inline = new InlineCrypto();
  seal(backend: CryptoBackendName, key: Uint8Array, nonce: number, records: readonly Uint8Array[]): Promise<Uint8Array[]> {
    return this.hold(() => this.inline.seal(backend, key, nonce, records));
  }
  open(backend: CryptoBackendName, key: Uint8Array, nonce: number, records: readonly Uint8Array[]): Promise<OpenBatchResult> {
    return this.hold(() => this.inline.open(backend, key, nonce, records));
  }
  asym(): never {
    throw new Error('not used');
  }
  private hold<T>(work: () => Promise<T>): Promise<T> {
    this.calls++;
    const result = work(); // inputs are read now, as the real pool copies them now
    return new Promise<T>((resolve, reject) => {
      if (this.held.length === 0) setImmediate(() => this.held.splice(0).reverse().forEach((release) => release()));
      this.held.push(() => void result.then(resolve, reject));
    });
  }
}

/** A pool whose seals wait while `holding`: the channel's send buffer fills as if the peer did not read. */
class SealHoldingPool implements CryptoOps {
  holding = false;
  private held: Array<() => void> = [];
  private readonly inline = new InlineCrypto();
  seal(backend: CryptoBackendName, key: Uint8Array, nonce: number, records: readonly Uint8Array[]): Promise<Uint8Array[]> {
    const result = this.inline.seal(backend, key, nonce, records);
    if (!this.holding) return result;
    return new Promise<Uint8Array[]>((resolve, reject) => this.held.push(() => void result.then(resolve, reject)));
  }
  open(backend: CryptoBackendName, key: Uint8Array, nonce: number, records: readonly Uint8Array[]): Promise<OpenBatchResult> {
    return this.inline.open(backend, key, nonce, records);
  }
  asym(): never {
    throw new Error('not used');
  }
  release(): void {
    this.holding = false;
    this.held.splice(0).forEach((go) => go());
  }
}

function channels(opts: { crypto?: RecordCrypto; channel?: Partial<SecureChannelOptions>; channelA?: Partial<SecureChannelOptions>; taps?: { left?: Tap; right?: Tap } } = {}) {
  const pair = duplexPair(opts.taps);
  const k1 = randomBytes(32);
  const k2 = randomBytes(32);
  const channelId = randomBytes(32);
  const crypto = opts.crypto ?? { aead, pool: null, offloadThreshold: Infinity };
  const remote = { identityKey: new Uint8Array(32), name: 'peer', offeredBytes: 0, protocolVersion: 1 };
  const make = (socket: typeof pair.left, sendKey: Buffer, receiveKey: Buffer, own?: Partial<SecureChannelOptions>) =>
    new SecureChannel({
      connection: new WireConnection(socket, { expectPreamble: false }),
      remote, channelId, crypto, sendKey: Uint8Array.from(sendKey), receiveKey: Uint8Array.from(receiveKey), ...opts.channel, ...own,
    });
  const a = make(pair.left, k1, k2, opts.channelA);
  const b = make(pair.right, k2, k1);
  const closed = (c: SecureChannel) => new Promise<MemCloudError | null>((resolve) => c.once('close', resolve));
  /** Writes a record to b as a, with a's key and the given nonce, bypassing a's channel. */
  const forge = (nonce: number, plaintext: Uint8Array) => {
    const { ciphertext, tag } = aead.seal(k1, nonce, plaintext);
    pair.left.write(encodeFrame(FrameType.TRANSPORT, Buffer.concat([ciphertext, tag])));
  };
  return { a, b, pair, channelId, closed, forge };
}

const opened = (c: SecureChannel) => (c.isOpen ? Promise.resolve() : new Promise<void>((resolve) => c.once('open', resolve)));
const turn = () => new Promise((resolve) => setImmediate(resolve));

function collect(c: SecureChannel): Buffer[] {
  const got: Buffer[] = [];
  c.on('message', (m) => got.push(Buffer.from(m)));
  return got;
}

afterEach(() => mock.timers.reset());

describe('SecureChannel', () => {
  test('mixed inline and pool batches, finished out of order by the pool, arrive in order both ways', async () => {
    const pool = new ShufflingPool();
    const { a, b } = channels({ crypto: { aead, pool, offloadThreshold: 4096 } });
    a.sendHello();
    b.sendHello();
    await Promise.all([opened(a), opened(b)]);
    const sizes = [10, 5000, 3, 70_000, 100, 200_000, 1, 4095, 4096, 65_519, 65_520, 0, 300_000, 17];
    for (const [from, to] of [[a, b], [b, a]] as const) {
      const got = collect(to);
      const sent: Buffer[] = [];
      for (let round = 0; round < 3; round++) {
        for (const n of sizes) {
          const m = randomBytes(n);
          sent.push(m);
          from.send(m);
          if (n % 2 === 1) await turn(); // some messages share a tick (and records), some do not
        }
      }
      while (got.length < sent.length) await turn();
      assert.equal(got.length, sent.length);
      got.forEach((m, i) => assert.ok(m.equals(sent[i]!), `message ${i} (${sent[i]!.length} bytes) in order and intact`));
    }
    assert.ok(pool.calls > 4, 'large batches went to the pool');
    await a.close();
  });

  test('a message spanning records: the records inside its body are opened straight into it (one copy), a tampered one ends the channel', async () => {
    const { a, b } = channels();
    a.sendHello();
    b.sendHello();
    await Promise.all([opened(a), opened(b)]);
    const into = mock.method(aead, 'openInto');
    const got = collect(b);
    const m = randomBytes(1024 * 1024);
    a.send(m);
    while (got.length < 1) await turn();
    assert.ok(got[0]!.equals(m), 'intact');
    // 1 MiB spans 17 records; all but the first (header + start) and the last (its tail) lie inside the body.
    assert.ok(into.mock.callCount() >= 15, `${into.mock.callCount()} records opened in place`);
    into.mock.restore();

    const tampered = channels({
      taps: {
        left: (() => {
          let big = 0;
          return (chunk: Buffer) => (chunk.length > 1000 && ++big === 8 ? Buffer.from(chunk.map((x, i) => (i === 100 ? x ^ 1 : x))) : chunk);
        })(),
      },
    });
    tampered.a.sendHello();
    tampered.b.sendHello();
    await Promise.all([opened(tampered.a), opened(tampered.b)]);
    const none = collect(tampered.b);
    // Listening first: a large send is sealed and written at once, and this in-memory pair
    // delivers synchronously, so the peer may close before send() returns.
    const closedWith = tampered.closed(tampered.b);
    tampered.a.send(randomBytes(1024 * 1024));
    assert.equal((await closedWith)?.code, 'DECRYPT_FAILED');
    assert.deepEqual(none, []);
    await a.close();
  });

  test('HELLO first: application data before it closes the channel, nothing is delivered', async () => {
    const { b, closed, forge } = channels();
    const got = collect(b);
    b.sendHello();
    forge(0, channelMessage(MessageKind.APP, Buffer.from('too early')));
    assert.equal((await closed(b))?.code, 'FRAME_MALFORMED');
    assert.deepEqual(got, []);
  });

  test('a HELLO with the wrong channel id, or a second HELLO, closes the channel', async () => {
    const wrong = channels();
    wrong.forge(0, channelMessage(MessageKind.HELLO, randomBytes(32)));
    assert.equal((await wrong.closed(wrong.b))?.code, 'HANDSHAKE_FAILED');
    const twice = channels();
    twice.b.sendHello();
    twice.forge(0, Buffer.concat([channelMessage(MessageKind.HELLO, twice.channelId), channelMessage(MessageKind.HELLO, twice.channelId)]));
    // A second HELLO is refused on its header (only the first may be a HELLO), before its body is read.
    const second = await twice.closed(twice.b);
    assert.equal(second?.code, 'FRAME_MALFORMED');
    assert.match(second!.message, /kind 1 not allowed on an open session/);
    assert.equal(twice.b.isOpen, false);
  });

  test('a tampered record in a pooled burst: what came before it is delivered, nothing from it on', async () => {
    const pool = new ShufflingPool();
    let flipped = false;
    let big = 0;
    const tap: Tap = (chunk) => {
      // Pooled records are written as header + one 65535-byte piece; flip the body of the fifth.
      if (chunk.length > 1000 && ++big === 5 && !flipped) {
        flipped = true;
        return Buffer.from(chunk.map((x, i) => (i === 0 ? x ^ 1 : x)));
      }
      return chunk;
    };
    const { a, b, closed } = channels({ crypto: { aead, pool, offloadThreshold: 4096 }, taps: { left: tap } });
    a.sendHello();
    b.sendHello();
    await Promise.all([opened(a), opened(b)]);
    const got = collect(b);
    const bClosed = closed(b);
    for (let i = 0; i < 20; i++) a.send(Buffer.alloc(65_519 - 5, i)); // one message per record, one burst
    assert.equal((await bClosed)?.code, 'DECRYPT_FAILED');
    assert.ok(flipped);
    assert.ok(got.length <= 4, `${got.length} delivered`);
    got.forEach((m, i) => assert.equal(m[0], i, 'only the records before the tampered one, in order'));
  });

  test('PING is answered with a PONG carrying the same bytes; CLOSE delivers what came before it', async () => {
    const { a, b, closed } = channels({ channel: { keepAliveMs: 60_000 } });
    a.sendHello();
    b.sendHello();
    await Promise.all([opened(a), opened(b)]);
    while (a.latencyMs < 0) await turn(); // the first PING goes 250 ms after opening
    assert.ok(a.latencyMs >= 0);
    const got = collect(b);
    const bClosed = closed(b);
    a.send(Buffer.from('last words'));
    await a.close();
    assert.equal((await bClosed)?.code, 'CHANNEL_CLOSED');
    assert.deepEqual(got.map(String), ['last words']);
  });

  test('no idle timeout while the peer has not admitted us yet (it may be asking its user)', async () => {
    mock.timers.enable({ apis: ['setInterval', 'Date'], now: 1_000_000 });
    let silent = false;
    const { a, b } = channels({ channel: { keepAliveMs: 1000, idleTimeoutMs: 3000 }, taps: { right: (c) => (silent ? null : c) } });
    let aClosed: MemCloudError | null | undefined;
    a.once('close', (err) => (aClosed = err));
    a.sendHello(); // a trusts b; b's user takes far longer than the idle timeout to answer
    await turn();
    for (let t = 0; t < 60; t++) {
      mock.timers.tick(1000);
      await turn();
    }
    assert.equal(aClosed, undefined, 'a still waits for b\'s HELLO');
    b.sendHello();
    await Promise.all([opened(a), opened(b)]);
    // Once open, silence from b does end the session.
    silent = true;
    for (let t = 0; t < 10 && aClosed === undefined; t++) {
      mock.timers.tick(1000);
      await turn();
    }
    assert.equal((aClosed as MemCloudError | null | undefined)?.code, 'TIMEOUT');
  });

  test('our own read pause is not the peer\'s silence: when reading resumes the idle clock starts afresh (6.4)', async () => {
    mock.timers.enable({ apis: ['setInterval', 'Date'], now: 1_000_000 });
    const pool = new SealHoldingPool();
    let silent = false;
    const { a, b } = channels({
      crypto: { aead, pool, offloadThreshold: 0 },
      channel: { keepAliveMs: 60_000, idleTimeoutMs: 3000, highWaterMark: 16 * 1024, flow: { readPauseMark: 64 * 1024, readResumeMark: 32 * 1024, noProgressMs: 600_000 } },
      channelA: { idleTimeoutMs: 600_000 }, // a hears nothing from b while b's seals wait: a must not give up first
      taps: { left: (c) => (silent ? null : c) },
    });
    a.sendHello();
    b.sendHello();
    await Promise.all([opened(a), opened(b)]);
    let bClosed: MemCloudError | null | undefined;
    b.once('close', (err) => (bClosed = err));
    silent = true; // from now on nothing of a's reaches b
    // b's replies pile up unsent (the seals wait): b stops reading a.
    pool.holding = true;
    b.send(randomBytes(100 * 1024));
    assert.equal(b.readingPaused, true, 'b stopped reading');
    // 20 s of a's silence, 20 times the idle timeout, while b does not read: no close.
    for (let t = 0; t < 20; t++) {
      mock.timers.tick(1000);
      await turn();
    }
    assert.equal(bClosed, undefined, 'no idle close while b does not read');
    pool.release();
    while (b.readingPaused) await turn();
    // b reads again, and a stays silent: the session lasts the idle timeout from now, not less.
    const ticksToClose: number[] = [];
    for (let t = 1; t <= 10 && bClosed === undefined; t++) {
      mock.timers.tick(1000);
      await turn();
      if (bClosed !== undefined) ticksToClose.push(t);
    }
    assert.equal((bClosed as MemCloudError | null | undefined)?.code, 'TIMEOUT', 'silence after resuming still ends the session');
    assert.deepEqual(ticksToClose, [3], 'closed at the first tick 3 s (the idle timeout) after reading resumed');
  });
});
