// Session resumption (docs/protocol.md section 13) between real endpoints over real TCP on
// 127.0.0.1: a reconnection resumes with the ticket of the last session, each ticket works once,
// trust removal and revocation void tickets, "allow once" sessions get none, nodes without
// resumption interoperate unchanged, and the three crypto backends resume with each other.

import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { CRYPTO_BACKENDS } from '../../../engine/crypto/backend-name';
import { isMemCloudError } from '../../../engine/errors';
import type { Session } from '../../../engine/session/session-manager';
import { closeSharedPool, createEndpoint, pair, type Endpoint, type EndpointOptions } from '../../support/endpoints';
import { eventually } from '../../support/eventually';
import { nextMessages, nextSession } from '../../support/session-helpers';

after(closeSharedPool);

async function endpoints(a: Partial<EndpointOptions> = {}, b: Partial<EndpointOptions> = {}): Promise<[Endpoint, Endpoint]> {
  return [await createEndpoint({ name: 'alpha', ...a }), await createEndpoint({ name: 'beta', ...b })];
}

/** a dials b; resolves with both ends once the session is open on both. */
async function connect(a: Endpoint, b: Endpoint, opts: { resume?: boolean } = {}): Promise<[Session, Session]> {
  const inbound = nextSession(b);
  const sa = await a.sessions.dial('127.0.0.1', b.port, opts);
  return [sa, await inbound];
}

async function holdsTicket(a: Endpoint, b: Endpoint): Promise<void> {
  await eventually(`${a.name} holds a ticket from ${b.name}`, () => a.sessions.resumption!.holds(b.identity.publicKeyText));
}

/** Trusted both ways, one full session opened and closed: a holds a ticket from b. */
async function ticketed(a: Endpoint, b: Endpoint): Promise<void> {
  await pair(a, b);
  const [first] = await connect(a, b);
  await holdsTicket(a, b);
  await first.channel.close();
}

/** Answers the next consent request on `e` with `once`. */
function answerOnce(e: Endpoint): Promise<void> {
  return new Promise((resolve) => {
    const poll = setInterval(() => {
      const r = e.consent.list()[0];
      if (!r) return;
      clearInterval(poll);
      e.consent.answer(r.id, 'once');
      resolve();
    }, 20);
  });
}

async function roundTrip(a: Session, b: Session): Promise<void> {
  const m = randomBytes(3000);
  const got = nextMessages(b.channel, 1);
  a.channel.send(m);
  assert.ok((await got)[0]!.equals(m));
}

describe('session resumption over TCP', () => {
  test('a reconnection resumes; every resumed session gets the next ticket; data flows', async () => {
    const [a, b] = await endpoints();
    try {
      await pair(a, b);
      const [first, firstIn] = await connect(a, b);
      assert.equal(first.resumed, false);
      assert.equal(firstIn.resumed, false);
      await holdsTicket(a, b);
      await first.channel.close();
      for (let round = 0; round < 3; round++) {
        const [sa, sb] = await connect(a, b);
        assert.equal(sa.resumed, true, `round ${round}: the initiator resumed`);
        assert.equal(sb.resumed, true, `round ${round}: the responder resumed`);
        assert.equal(sa.fingerprint, b.identity.fingerprint);
        assert.equal(sb.fingerprint, a.identity.fingerprint);
        assert.equal(sa.remote.name, 'beta');
        assert.equal(sb.remote.name, 'alpha');
        assert.equal(sb.admission, 'trusted');
        assert.notDeepEqual(sa.channel.channelId, first.channel.channelId);
        await roundTrip(sa, sb);
        await roundTrip(sb, sa);
        await holdsTicket(a, b);
        await sa.channel.close();
      }
      assert.deepEqual(a.sessions.handshakeCounts, { full: 1, resumed: 3 });
      assert.deepEqual(b.sessions.handshakeCounts, { full: 1, resumed: 3 });
    } finally {
      await a.close();
      await b.close();
    }
  });

  test('an open session gets a fresh ticket every refresh period; the responder keeps the two newest', async () => {
    const [a, b] = await endpoints({}, { ticketRefreshMs: 100 });
    try {
      await pair(a, b);
      const [sa] = await connect(a, b);
      await eventually('three tickets arrived', () => a.sessions.resumption!.counts.ticketsReceived >= 3);
      assert.deepEqual(b.sessions.resumption!.kept, { issued: 2, held: 0 });
      assert.deepEqual(a.sessions.resumption!.kept, { issued: 0, held: 1 });
      await sa.channel.close();
      const [again] = await connect(a, b);
      assert.equal(again.resumed, true, 'the newest ticket resumes');
      await again.channel.close();
    } finally {
      await a.close();
      await b.close();
    }
  });

  test('resume: false forces the full handshake and leaves the ticket unused', async () => {
    const [a, b] = await endpoints();
    try {
      await ticketed(a, b);
      const [full] = await connect(a, b, { resume: false });
      assert.equal(full.resumed, false);
      await full.channel.close();
      const [resumed] = await connect(a, b);
      assert.equal(resumed.resumed, true);
      await resumed.channel.close();
    } finally {
      await a.close();
      await b.close();
    }
  });

  test('trust removal voids tickets on both sides: after trusting again, the next session is a full handshake', async () => {
    const [a, b] = await endpoints();
    try {
      await ticketed(a, b);
      await b.trust.forget(a.identity.publicKey);
      await b.trust.trust(a.identity.publicKey, { name: 'alpha', approval: 'cli' });
      const [sa, sb] = await connect(a, b);
      assert.equal(sa.resumed, false);
      assert.equal(sb.resumed, false);
      await sa.channel.close();
    } finally {
      await a.close();
      await b.close();
    }
  });

  test('a revoked device cannot resume: the responder falls back to the full handshake, which refuses it', async () => {
    const [a, b] = await endpoints();
    try {
      await ticketed(a, b);
      await b.trust.revoke(a.identity.publicKey);
      let opened = false;
      b.sessions.once('session', () => (opened = true));
      await assert.rejects(a.sessions.dial('127.0.0.1', b.port), (err: unknown) => isMemCloudError(err));
      assert.equal(opened, false);
      assert.deepEqual(b.sessions.handshakeCounts, { full: 1, resumed: 0 });
    } finally {
      await a.close();
      await b.close();
    }
  });

  test('the initiator does not resume with a device it no longer trusts', async () => {
    const [a, b] = await endpoints({ consentTimeoutMs: 60_000 });
    try {
      await ticketed(a, b);
      await a.trust.forget(b.identity.publicKey);
      // a now asks its user about b: the handshake was a full one, not a resumption.
      const asked = answerOnce(a);
      const [sa, sb] = await connect(a, b);
      await asked;
      assert.equal(sa.resumed, false);
      assert.equal(sa.admission, 'once');
      assert.equal(sb.resumed, false);
      await sa.channel.close();
    } finally {
      await a.close();
      await b.close();
    }
  });

  test('"allow once" sessions get no ticket: the next connection asks again', async () => {
    const [a, b] = await endpoints({}, { consentTimeoutMs: 60_000 });
    try {
      await a.trust.trust(b.identity.publicKey, { name: 'beta', approval: 'cli' });
      let answered = answerOnce(b);
      const [first, firstIn] = await connect(a, b);
      await answered;
      assert.equal(firstIn.admission, 'once');
      await roundTrip(first, firstIn); // the session is open and used; no ticket was sent meanwhile
      assert.equal(a.sessions.resumption!.holds(b.identity.publicKeyText), false);
      assert.equal(b.sessions.resumption!.counts.ticketsIssued, 0);
      await first.channel.close();
      answered = answerOnce(b);
      const [again, againIn] = await connect(a, b);
      await answered;
      assert.equal(again.resumed, false);
      assert.equal(againIn.admission, 'once');
      await again.channel.close();
    } finally {
      await a.close();
      await b.close();
    }
  });

  test('nodes without resumption interoperate unchanged, in both roles', async () => {
    const [a, old] = await endpoints({}, { resumption: false });
    try {
      await pair(a, old);
      for (let i = 0; i < 2; i++) {
        const [sa, so] = await connect(a, old);
        assert.equal(sa.resumed, false);
        await roundTrip(sa, so);
        await sa.channel.close();
      }
      assert.equal(a.sessions.resumption!.holds(old.identity.publicKeyText), false);
      for (let i = 0; i < 2; i++) {
        const [so, sa] = await connect(old, a);
        assert.equal(so.resumed, false);
        await roundTrip(so, sa);
        await roundTrip(sa, so); // no TICKET reached the old initiator (it would be fatal there)
        await so.channel.close();
      }
      assert.equal(a.sessions.resumption!.counts.ticketsIssued, 0);
    } finally {
      await a.close();
      await old.close();
    }
  });

  for (const ia of CRYPTO_BACKENDS) {
    for (const rb of CRYPTO_BACKENDS) {
      if (ia === rb && ia !== 'native') continue;
      test(`backends interoperate: ${ia} initiator resumes with ${rb} responder`, async () => {
        const [a, b] = await endpoints({ backend: ia }, { backend: rb });
        try {
          await ticketed(a, b);
          const [sa, sb] = await connect(a, b);
          assert.equal(sa.resumed, true);
          assert.equal(sb.resumed, true);
          await roundTrip(sa, sb);
          await roundTrip(sb, sa);
          await sa.channel.close();
        } finally {
          await a.close();
          await b.close();
        }
      });
    }
  }
});
