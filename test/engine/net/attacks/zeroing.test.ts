// Attack 11 (after the fact): once a handshake over real TCP has completed, every ephemeral secret
// key it used and every DH output must be zero. Spies wrap the HandshakeCrypto given to each
// SessionManager (and, on the pool path, the CryptoOps under it) and keep references to what passed.

import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import nodeCrypto from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConsentQueue } from '../../../../engine/consent/consent-queue';
import type { CryptoBackendName as BackendName } from '../../../../engine/crypto/backend-name';
import { backend as loadedBackend, loadBackend } from '../../../../engine/crypto/backends';
import type { HandshakeCrypto } from '../../../../engine/crypto/handshake/handshake-crypto';
import { InlineHandshakeCrypto } from '../../../../engine/crypto/handshake/inline-handshake-crypto';
import { sodium } from '../../../../engine/crypto/portable/sodium';
import { createCryptoSetup } from '../../../../engine/crypto/setup';
import { x25519 } from '../../../support/noise-kit';
import { type KeyPair } from '../../../../engine/crypto/noise/dh';
import { CryptoPool } from '../../../../engine/crypto/pool/crypto-pool';
import type { AsymOp, AsymResult, CryptoBackendName, CryptoOps } from '../../../../engine/crypto/pool/crypto-messages';
import { DeviceIdentity } from '../../../../engine/identity/device-identity';
import { loadOrCreateIdentity } from '../../../../engine/identity/identity-file';
import { SessionManager } from '../../../../engine/session/session-manager';
import { TrustStore } from '../../../../engine/trust/trust-store';
import { withTimeout } from '../../../support/session-helpers';
import { eventually } from '../../../support/eventually';
import { encodePublicKey } from '../../../../engine/identity/public-key';
import { closeAfterEach } from '../../../support/attacks/cleanup';

const isZero = (b: Uint8Array) => b.every((x) => x === 0);

/** Passes every call through and keeps the key pairs and DH outputs it handed to the handshake. */
class SpyHandshakeCrypto implements HandshakeCrypto {
  readonly ephemerals: KeyPair[] = [];

  readonly dhOutputs: Uint8Array[] = [];
  readonly suite: HandshakeCrypto['suite'];
  constructor(private readonly inner: HandshakeCrypto) {
    this.suite = inner.suite;
  }
  close(): Promise<void> {
    return this.inner.close();
  }
  async ephemeral(): Promise<KeyPair> {
    const pair = await this.inner.ephemeral();
    assert.ok(!isZero(pair.secretKey), 'a live ephemeral is not zero');
    this.ephemerals.push(pair);
    return pair;
  }
  async dh(secretKey: Uint8Array, publicKey: Uint8Array): Promise<Uint8Array> {
    const out = await this.inner.dh(secretKey, publicKey);
    assert.ok(!isZero(out));
    this.dhOutputs.push(out);
    return out;
  }
  sign(message: Uint8Array): Promise<Uint8Array> {
    return this.inner.sign(message);
  }
  verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): Promise<boolean> {
    return this.inner.verify(publicKey, message, signature);
  }
}

/** The pool under PooledHandshakeCrypto: keeps every secret input it was given and every secret it made. */
class SpyOps implements CryptoOps {
  readonly secretInputs: Uint8Array[] = [];
  readonly secretOutputs: Uint8Array[] = [];
  constructor(private readonly inner: CryptoOps) {}
  seal: CryptoOps['seal'] = (...args) => this.inner.seal(...args);
  open: CryptoOps['open'] = (...args) => this.inner.open(...args);
  async asym(backend: CryptoBackendName, ops: readonly AsymOp[]): Promise<AsymResult[]> {
    for (const op of ops) if ('secretKey' in op) this.secretInputs.push(op.secretKey);
    const results = await this.inner.asym(backend, ops);
    for (const r of results) {
      if (r.op === 'x25519-keypair') this.secretOutputs.push(r.secretKey);
      if (r.op === 'x25519-dh') this.secretOutputs.push(r.sharedSecret);
    }
    return results;
  }
}

interface SpyEndpoint {
  readonly sessions: SessionManager;
  readonly trust: TrustStore;
  readonly publicKey: Uint8Array;
  readonly port: number;
  readonly spy: SpyHandshakeCrypto;
  readonly ops: SpyOps | null;
  close(): Promise<void>;
}

async function spyEndpoint(name: string, backend: BackendName, pool: CryptoOps | null): Promise<SpyEndpoint> {
  const parent = await mkdtemp(join(tmpdir(), 'memcloud-zero-'));
  const home = join(parent, 'home');
  const identity = await loadOrCreateIdentity(home);
  const trust = await TrustStore.open(home);
  const consent = new ConsentQueue();
  const staticKeyPair = x25519.generateKeyPair();
  const ops = pool ? new SpyOps(pool) : null;
  const { handshakeCrypto, recordCrypto } = createCryptoSetup(await loadBackend(backend), identity, staticKeyPair, ops);
  const spy = new SpyHandshakeCrypto(handshakeCrypto);
  const sessions = new SessionManager({
    identity, staticKeyPair, trust, consent, handshakeCrypto: spy, recordCrypto, name: () => name, offeredBytes: () => 0,
  });
  const server = createServer((socket) => sessions.accept(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  let closing: Promise<void> | null = null;
  return {
    sessions, trust, publicKey: identity.publicKey, port: (server.address() as AddressInfo).port, spy, ops,
    close() {
      closing ??= (async () => {
        server.close();
        consent.close();
        await sessions.close();
        await handshakeCrypto.close();
        await trust.close();
        await rm(parent, { recursive: true, force: true });
      })();
      return closing;
    },
  };
}

let pool: CryptoPool | null = null;
after(() => pool?.close());

describe('attack 11: secrets left in memory after the handshake', () => {
  const track = closeAfterEach();
  const configs: Array<[BackendName, boolean]> = [['native', false], ['portable', false], ['noble', true]];

  for (const [backend, pooled] of configs) {
    test(`11. ${backend}${pooled ? ' with the pool' : ''}: ephemeral secrets and DH outputs are zero once sessions open`, async (t) => {
      if (pooled) pool ??= CryptoPool.create({ threads: 1 });
      // Inline node:crypto: keep every raw X25519 output too, before any copy is made of it.
      const rawOutputs: Buffer[] = [];
      const diffieHellman = nodeCrypto.diffieHellman;
      t.mock.method(nodeCrypto, 'diffieHellman', (options: Parameters<typeof diffieHellman>[0]) => {
        const out = diffieHellman(options);
        rawOutputs.push(out);
        return out;
      });
      const a = track(await spyEndpoint('alpha', backend, pooled ? pool : null));
      const b = track(await spyEndpoint('beta', backend, pooled ? pool : null));
      await a.trust.trust(b.publicKey, { name: 'beta', approval: 'cli' });
      await b.trust.trust(a.publicKey, { name: 'alpha', approval: 'cli' });
      // Round 0 is a full handshake; round 1 resumes with its ticket (docs/protocol.md section 13).
      for (let round = 0; round < 2; round++) {
        if (round === 1) await eventually('alpha holds a ticket', () => a.sessions.resumption!.holds(encodePublicKey(b.publicKey)));
        const inbound = withTimeout(new Promise((resolve) => b.sessions.once('session', resolve)), 30_000, 'beta\'s session');
        const s = await a.sessions.dial('127.0.0.1', b.port);
        assert.equal(s.resumed, round === 1);
        await inbound;
      }
      for (const [e, who] of [[a, 'initiator'], [b, 'responder']] as const) {
        assert.equal(e.spy.ephemerals.length, 2, `${who}: one ephemeral per handshake`);
        assert.equal(e.spy.dhOutputs.length, 4, `${who}: ee, es, se in the full handshake, ee in the resumed one`);
        e.spy.ephemerals.forEach((p, i) => assert.ok(isZero(p.secretKey), `${who}: ephemeral ${i} zeroed`));
        e.spy.dhOutputs.forEach((d, i) => assert.ok(isZero(d), `${who}: DH output ${i} zeroed`));
        if (e.ops) {
          assert.ok(e.ops.secretInputs.length >= 4);
          e.ops.secretInputs.forEach((s, i) => assert.ok(isZero(s), `${who}: secret key copy ${i} handed to the pool zeroed`));
        }
      }
      if (backend === 'portable') {
        // libsodium's heap: the slots secrets and DH outputs pass through are wiped after each call.
        const { lib, slots } = sodium();
        for (const [slot, length] of [[slots.key, 32], [slots.out, 32], [slots.secret, 64]] as const) {
          assert.ok(isZero(lib.HEAPU8.subarray(slot, slot + length)), `libsodium heap slot at ${slot} zeroed`);
        }
      }
      if (backend === 'native') {
        assert.ok(rawOutputs.length >= 8, 'the native DH ran here');
        rawOutputs.forEach((d, i) => assert.ok(isZero(d), `raw node:crypto DH output ${i} zeroed`));
      }
      // Closing zeroes the spare ephemeral kept ready for the next handshake.
      await a.close();
      await b.close();
      for (const e of [a, b]) e.ops?.secretOutputs.forEach((s, i) => assert.ok(isZero(s), `pool secret ${i} zeroed after close`));
    });
  }

  test('11. node:crypto ephemerals leave no copy of the secret in Node\'s shared Buffer pool', async () => {
    const identity = DeviceIdentity.generate();
    const crypto = new InlineHandshakeCrypto(loadedBackend('native'), identity, x25519.generateKeyPair());
    track(crypto);
    const pair = await crypto.ephemeral(); // generated in the constructor, a moment ago
    const secret = Buffer.from(Uint8Array.from(pair.secretKey).buffer); // a view: no copy into the pool
    // Small Buffers are carved from one 8 KiB slab; the one in use now holds the latest ones.
    const slab = Buffer.from(new Uint8Array(Buffer.from([0]).buffer));
    assert.equal(slab.length, Buffer.poolSize);
    assert.equal(slab.indexOf(secret), -1, 'a copy of the ephemeral secret sits in the Buffer pool');
  });
});
