// Attacks 9 and 10 over real TCP on 127.0.0.1: a revoked device connecting (either role), and a
// device whose identity key changed (an expected key on dial; a known name with a new key).

import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { ConsentRequest } from '../../../../engine/consent/consent-queue';
import { closeSharedPool, createEndpoint, pair } from '../../../support/endpoints';
import { closeAfterEach } from '../../../support/attacks/cleanup';
import { MitmProxy } from '../../../support/attacks/mitm-proxy';
import { VictimWatch } from '../../../support/attacks/victim-watch';
import { ABORT, HANDSHAKE, assertGenericAborts, types } from '../../../support/attacks/wire-bytes';
import { failsWith } from '../../../support/errors';

after(closeSharedPool);


describe('attacks 9 and 10: revoked devices and changed keys', () => {
  const track = closeAfterEach();

  async function pairedThroughProxy() {
    const a = track(await createEndpoint({ name: 'alpha', backend: 'native' }));
    const b = track(await createEndpoint({ name: 'beta', backend: 'native' }));
    await pair(a, b);
    const proxy = track(await MitmProxy.start(b.port));
    return { a, b, proxy };
  }

  test('9. a revoked initiator is refused during the handshake, before consent', async () => {
    const { a, b, proxy } = await pairedThroughProxy();
    await b.trust.revoke(a.identity.publicKey);
    const watch = new VictimWatch(b);
    await assert.rejects(a.sessions.dial('127.0.0.1', proxy.port), failsWith('HANDSHAKE_FAILED'));
    const conn = await proxy.latest();
    await conn.closed;
    // Alpha trusts beta, so its HELLO may follow message 3 at once.
    assert.deepEqual(types(conn.frames.up).slice(0, 2), [HANDSHAKE, HANDSHAKE], 'alpha: messages 1 and 3');
    assert.deepEqual(types(conn.frames.down), [HANDSHAKE, ABORT], 'beta: message 2, then ABORT instead of HELLO');
    assertGenericAborts(conn.frames.down, 'beta');
    watch.assertUntouched('revoked initiator');
  });

  test('9. a revoked responder is refused before the initiator reveals its identity', async () => {
    const { a, b, proxy } = await pairedThroughProxy();
    await a.trust.revoke(b.identity.publicKey);
    const watchA = new VictimWatch(a);
    const watchB = new VictimWatch(b);
    await assert.rejects(a.sessions.dial('127.0.0.1', proxy.port), failsWith('PEER_REVOKED'));
    const conn = await proxy.latest();
    await conn.closed;
    assert.deepEqual(types(conn.frames.up), [HANDSHAKE, ABORT], 'alpha: message 1, then ABORT instead of message 3');
    assertGenericAborts(conn.frames.up, 'alpha');
    watchA.assertUntouched('alpha');
    watchB.assertUntouched('beta');
  });

  test('10. dialing with the expected key while another device answers: PEER_KEY_CHANGED, ABORT on the wire', async () => {
    const a = track(await createEndpoint({ name: 'alpha', backend: 'native' }));
    const b = track(await createEndpoint({ name: 'beta', backend: 'native' }));
    const c = track(await createEndpoint({ name: 'beta', backend: 'native' })); // now answers at beta's address
    await pair(a, b);
    await pair(a, c); // even a device alpha trusts is refused where beta's key is expected
    const proxy = track(await MitmProxy.start(c.port));
    const watchA = new VictimWatch(a);
    const watchC = new VictimWatch(c);
    await assert.rejects(
      a.sessions.dial('127.0.0.1', proxy.port, { expectedKey: b.identity.publicKey }),
      (e) => failsWith('PEER_KEY_CHANGED')(e) && (e as Error).message.includes(c.identity.fingerprint),
    );
    const conn = await proxy.latest();
    await conn.closed;
    assert.deepEqual(types(conn.frames.up), [HANDSHAKE, ABORT], 'alpha: message 1, then ABORT, never its identity');
    assertGenericAborts(conn.frames.up, 'alpha');
    watchA.assertUntouched('alpha');
    watchC.assertUntouched('the other device');
  });

  test('10. a new key using a trusted device\'s name is a consent request with the warning, not trusted', async () => {
    const a = track(await createEndpoint({ name: 'alpha', backend: 'native' }));
    const b = track(await createEndpoint({ name: 'beta', backend: 'native' }));
    await pair(a, b);
    const impostor = track(await createEndpoint({ name: 'alpha', backend: 'native' }));
    await impostor.trust.trust(b.identity.publicKey, { name: 'beta', approval: 'cli' });
    const watch = new VictimWatch(b);
    const asked = once(b.consent, 'request') as Promise<[ConsentRequest]>;
    const dialing = assert.rejects(impostor.sessions.dial('127.0.0.1', b.port), failsWith('HANDSHAKE_FAILED'));
    const [req] = await asked;
    assert.equal(req.name, 'alpha');
    assert.equal(req.fingerprint, impostor.identity.fingerprint);
    assert.equal(req.nameMatchesTrustedFingerprint, a.identity.fingerprint);
    assert.equal(b.trust.isTrusted(impostor.identity.publicKey), false);
    assert.equal(watch.sessions.length, 0, 'no session while the request waits');
    b.consent.answer(req.id, 'deny');
    await dialing;
    assert.equal(watch.sessions.length + watch.messages.length + b.sessions.sessions().length, 0);
    assert.equal(b.trust.isTrusted(impostor.identity.publicKey), false);
  });
});
