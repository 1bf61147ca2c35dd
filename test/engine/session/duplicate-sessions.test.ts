// docs/protocol.md section 4.2 over real TCP: two sessions between the same two devices. Both
// sides keep the session initiated by the smaller identity key (its 32 bytes compared as unsigned
// bytes, not as text), the same one on both ends; between two sessions from the same initiator the
// newer one is kept. The loser is ended with CLOSE.

import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Session } from '../../../engine/session/session-manager';
import { closeSharedPool, createEndpoint, pair, type Endpoint } from '../../support/endpoints';
import { waitClosed, withTimeout } from '../../support/session-helpers';

after(closeSharedPool);

/** Resolves once `e` has exactly one live session with `other` and nothing else is pending. */
async function settled(e: Endpoint, other: Endpoint): Promise<Session> {
  const key = Buffer.from(other.identity.publicKey).toString('base64url');
  return withTimeout(
    (async () => {
      for (;;) {
        const live = e.sessions.sessionsFor(key).filter((s) => s.channel.isOpen);
        if (live.length === 1 && e.sessions.sessionsFor(key).length === 1) return live[0]!;
        await new Promise((r) => setTimeout(r, 50));
      }
    })(),
    30_000,
    `${e.name} to settle on one session`,
  );
}

describe('duplicate sessions (section 4.2)', () => {
  test('two devices dialing each other at once keep the same session: the one the byte-wise smaller key initiated', async () => {
    // Six pairs, so both orders of the keys occur (and keys whose text order differs from their byte order).
    for (let round = 0; round < 6; round++) {
      const a = await createEndpoint({ name: 'alpha', backend: 'native', pool: false });
      const b = await createEndpoint({ name: 'beta', backend: 'native', pool: false });
      try {
        await pair(a, b);
        const dials = await Promise.allSettled([a.sessions.dial('127.0.0.1', b.port), b.sessions.dial('127.0.0.1', a.port)]);
        assert.ok(dials.some((d) => d.status === 'fulfilled'), 'at least one dial gets a session');
        const [sa, sb] = [await settled(a, b), await settled(b, a)];
        assert.deepEqual(sa.channel.channelId, sb.channel.channelId, 'both ends kept the same session');
        const aSmaller = Buffer.compare(Buffer.from(a.identity.publicKey), Buffer.from(b.identity.publicKey)) < 0;
        assert.equal(sa.direction, aSmaller ? 'outbound' : 'inbound', `round ${round}: the smaller key's session is kept`);
        // The kept session works both ways.
        const got = new Promise<Buffer>((resolve) => sb.channel.once('message', (m: Buffer) => resolve(Buffer.from(m))));
        sa.channel.send(Buffer.from('still here'));
        assert.equal((await withTimeout(got, 10_000, 'a message')).toString(), 'still here');
      } finally {
        await a.close();
        await b.close();
      }
    }
  });

  test('a second session from the same initiator replaces the first, on both ends', async () => {
    const a = await createEndpoint({ name: 'alpha', backend: 'native', pool: false });
    const b = await createEndpoint({ name: 'beta', backend: 'native', pool: false });
    try {
      await pair(a, b);
      const first = await a.sessions.dial('127.0.0.1', b.port);
      const firstInbound = await settled(b, a);
      const closedOnA = waitClosed(first.channel);
      const closedOnB = waitClosed(firstInbound.channel);
      const second = await a.sessions.dial('127.0.0.1', b.port);
      assert.notDeepEqual(second.channel.channelId, first.channel.channelId);
      await closedOnA;
      await closedOnB;
      const [sa, sb] = [await settled(a, b), await settled(b, a)];
      assert.deepEqual(sa.channel.channelId, second.channel.channelId);
      assert.deepEqual(sb.channel.channelId, second.channel.channelId);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
