// Sessions over real TCP on 127.0.0.1 between real endpoints (temp homes, real trust stores, the real
// crypto pool): the happy path in both roles and both backends, interop, rekeying, consent, revocation.

import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { nativeAeadAvailable } from '../../../engine/crypto/aead';
import { CRYPTO_BACKENDS } from '../../../engine/crypto/backend-name';
import { isMemCloudError } from '../../../engine/errors';
import type { Session } from '../../../engine/session/session-manager';
import { closeSharedPool, createEndpoint, pair, type Endpoint } from '../../support/endpoints';
import { nextMessages, nextSession, waitClosed } from '../../support/session-helpers';

after(closeSharedPool);

async function exchange(a: Session, b: Session, count: number, size: number): Promise<void> {
  const sent = Array.from({ length: count }, () => randomBytes(size));
  const received = nextMessages(b.channel, count);
  for (const m of sent) a.channel.send(m);
  const got = await received;
  assert.equal(got.length, count);
  got.forEach((m, i) => assert.ok(m.equals(sent[i]!), `message ${i} differs`));
}

describe('sessions over TCP', () => {
  const configs = [
    { backend: 'noble' as const, pool: true },
    { backend: 'noble' as const, pool: false },
    { backend: 'native' as const, pool: true },
    { backend: 'native' as const, pool: false },
    { backend: 'portable' as const, pool: true },
    { backend: 'portable' as const, pool: false },
  ];
  for (const cfg of configs) {
    test(`happy path, ${cfg.backend} ${cfg.pool ? 'with pool' : 'inline'}: both roles, small and large messages`, async () => {
      const a = await createEndpoint({ name: 'alpha', ...cfg });
      const b = await createEndpoint({ name: 'beta', ...cfg });
      try {
        await pair(a, b);
        const inbound = nextSession(b);
        const sa = await a.sessions.dial('127.0.0.1', b.port);
        const sb = await inbound;
        assert.equal(sa.direction, 'outbound');
        assert.equal(sb.direction, 'inbound');
        assert.equal(sa.fingerprint, b.identity.fingerprint);
        assert.equal(sb.fingerprint, a.identity.fingerprint);
        assert.equal(sa.remote.name, 'beta');
        assert.equal(sb.remote.name, 'alpha');
        assert.deepEqual(sa.channel.channelId, sb.channel.channelId);
        await exchange(sa, sb, 200, 1024);
        await exchange(sb, sa, 200, 1024);
        await exchange(sa, sb, 3, 1024 * 1024 + 7);
        await exchange(sb, sa, 2, 5 * 1024 * 1024);
        const closed = waitClosed(sb.channel);
        await sa.channel.close();
        assert.equal(((await closed) ?? { code: 'none' }).code, 'CHANNEL_CLOSED');
      } finally {
        await a.close();
        await b.close();
      }
    });
  }

  // Identical bytes on the wire: every backend dials every other, and REKEY (every 5 records here)
  // is crossed many times in both directions.
  for (const [x, y] of CRYPTO_BACKENDS.flatMap((x) => CRYPTO_BACKENDS.filter((y) => y !== x).map((y) => [x, y] as const))) {
    test(`a ${x} node dials a ${y} node: handshake, records and rekeys interoperate`, async () => {
      assert.ok(nativeAeadAvailable(), 'this test needs a Node with native chacha20-poly1305');
      const channel = { rekeyInterval: 5 };
      const a = await createEndpoint({ name: `${x}-side`, backend: x, channel });
      const b = await createEndpoint({ name: `${y}-side`, backend: y, channel });
      try {
        await pair(a, b);
        const inbound = nextSession(b);
        const sa = await a.sessions.dial('127.0.0.1', b.port);
        const sb = await inbound;
        assert.deepEqual(sa.channel.channelId, sb.channel.channelId);
        await exchange(sa, sb, 50, 3000);
        await exchange(sb, sa, 50, 3000);
        await exchange(sa, sb, 2, 2 * 1024 * 1024);
        await exchange(sb, sa, 2, 2 * 1024 * 1024);
      } finally {
        await a.close();
        await b.close();
      }
    });
  }

  test('rekeying every few records keeps both directions in sync', async () => {
    const channel = { rekeyInterval: 3 };
    const a = await createEndpoint({ name: 'alpha', channel });
    const b = await createEndpoint({ name: 'beta', channel });
    try {
      await pair(a, b);
      const inbound = nextSession(b);
      const sa = await a.sessions.dial('127.0.0.1', b.port);
      const sb = await inbound;
      for (let i = 0; i < 20; i++) {
        await exchange(sa, sb, 1, 100);
        await exchange(sb, sa, 1, 100);
      }
      await exchange(sa, sb, 1, 3 * 1024 * 1024); // one batch spanning several rekeys
    } finally {
      await a.close();
      await b.close();
    }
  });
});

describe('consent and revocation', () => {
  async function unknownPair(): Promise<[Endpoint, Endpoint]> {
    const a = await createEndpoint({ name: 'caller' });
    const b = await createEndpoint({ name: 'lender' });
    // a trusts b (it dials b on purpose); b has never seen a.
    await a.trust.trust(b.identity.publicKey, { name: 'lender', approval: 'cli' });
    return [a, b];
  }

  test('an unknown device becomes a consent request; Allow once admits it for this session only', async () => {
    const [a, b] = await unknownPair();
    try {
      const asked = new Promise<import('../../../engine/consent/consent-queue').ConsentRequest>((r) => b.consent.once('request', r));
      const dialing = a.sessions.dial('127.0.0.1', b.port);
      const req = await asked;
      assert.equal(req.name, 'caller');
      assert.equal(req.fingerprint, a.identity.fingerprint);
      assert.equal(req.direction, 'inbound');
      assert.equal(req.offeredBytes, 1 << 30);
      assert.match(req.address, /^127\.0\.0\.1:\d+$/);
      b.consent.answer(req.id, 'once');
      const s = await dialing;
      assert.equal(s.remote.name, 'lender');
      assert.equal(b.trust.isTrusted(a.identity.publicKey), false);
    } finally {
      await a.close();
      await b.close();
    }
  });

  test('Trust always writes the device to trusted_devices.json', async () => {
    const [a, b] = await unknownPair();
    try {
      b.consent.once('request', (req) => b.consent.answer(req.id, 'always'));
      await a.sessions.dial('127.0.0.1', b.port);
      assert.equal(b.trust.isTrusted(a.identity.publicKey), true);
      await b.trust.flush();
      const file = JSON.parse(await readFile(join(b.home, 'trusted_devices.json'), 'utf8'));
      const entry = file.devices.find((d: { publicKey: string }) => d.publicKey === a.identity.publicKeyText);
      assert.equal(entry.approval, 'consent-always');
      assert.equal(entry.status, 'trusted');
    } finally {
      await a.close();
      await b.close();
    }
  });

  test('Deny and expiry refuse with the generic error and no session', async () => {
    const [a, b] = await unknownPair();
    try {
      b.consent.once('request', (req) => b.consent.answer(req.id, 'deny'));
      await assert.rejects(a.sessions.dial('127.0.0.1', b.port), (e) => isMemCloudError(e, 'HANDSHAKE_FAILED'));
      assert.equal(b.sessions.sessions().length, 0);
    } finally {
      await a.close();
      await b.close();
    }
    const a2 = await createEndpoint({ name: 'caller' });
    const b2 = await createEndpoint({ name: 'lender', consentTimeoutMs: 300 });
    try {
      await a2.trust.trust(b2.identity.publicKey, { name: 'lender', approval: 'cli' });
      const resolved = new Promise<string>((r) => b2.consent.once('resolved', (x) => r(x.outcome)));
      await assert.rejects(a2.sessions.dial('127.0.0.1', b2.port), (e) => isMemCloudError(e, 'HANDSHAKE_FAILED'));
      assert.equal(await resolved, 'expired');
      assert.equal(b2.trust.isTrusted(a2.identity.publicKey), false);
    } finally {
      await a2.close();
      await b2.close();
    }
  });

  test('the initiator also refuses an untrusted responder unless approved', async () => {
    const a = await createEndpoint({ name: 'caller' });
    const b = await createEndpoint({ name: 'stranger' });
    try {
      await b.trust.trust(a.identity.publicKey, { name: 'caller', approval: 'cli' });
      const asked = new Promise<import('../../../engine/consent/consent-queue').ConsentRequest>((r) => a.consent.once('request', r));
      const dialing = a.sessions.dial('127.0.0.1', b.port);
      const req = await asked;
      assert.equal(req.direction, 'outbound');
      assert.equal(req.fingerprint, b.identity.fingerprint);
      a.consent.answer(req.id, 'deny');
      await assert.rejects(dialing, (e) => isMemCloudError(e, 'CONSENT_DENIED'));
      assert.equal(b.sessions.sessions().length, 0);
    } finally {
      await a.close();
      await b.close();
    }
  });

  test('revoking trust closes the live session at once, and the device is then refused', async () => {
    const a = await createEndpoint({ name: 'alpha' });
    const b = await createEndpoint({ name: 'beta' });
    try {
      await pair(a, b);
      const inbound = nextSession(b);
      const sa = await a.sessions.dial('127.0.0.1', b.port);
      const sb = await inbound;
      const aClosed = waitClosed(sa.channel);
      const bClosed = waitClosed(sb.channel);
      await b.trust.revoke(a.identity.publicKey);
      assert.equal((await bClosed)?.code, 'PEER_REVOKED');
      assert.ok(await aClosed);
      assert.equal(b.sessions.sessions().length, 0);
      let asked = false;
      b.consent.once('request', () => (asked = true));
      await assert.rejects(a.sessions.dial('127.0.0.1', b.port), (e) => isMemCloudError(e, 'HANDSHAKE_FAILED'));
      assert.equal(asked, false, 'a revoked device must not reach the consent queue');
    } finally {
      await a.close();
      await b.close();
    }
  });
});
