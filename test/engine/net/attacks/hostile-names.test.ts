// Findings 1 and 8 over real TCP on 127.0.0.1: a device that completes the cryptographic handshake
// with a hostile name. Names that break the device-name rule (protocol.md 3.3.1) are refused with
// the generic ABORT before any consent is asked; names made to look like a trusted device's (same
// confusable skeleton, or quoting its fingerprint) ask consent with the impostor warning; "Trust
// Always" stores the device under the name it showed.

import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ConsentRequest } from '../../../../engine/consent/consent-queue';
import { DeviceIdentity } from '../../../../engine/identity/device-identity';
import { closeSharedPool, createEndpoint, type Endpoint } from '../../../support/endpoints';
import { closeAfterEach } from '../../../support/attacks/cleanup';
import { hostileHandshake, hostileSession } from '../../../support/attacks/hostile-initiator';
import { VictimWatch } from '../../../support/attacks/victim-watch';
import { ABORT, GENERIC_ABORT, HANDSHAKE, TRANSPORT } from '../../../support/attacks/wire-bytes';

after(closeSharedPool);

describe('hostile device names', () => {
  const track = closeAfterEach();

  const refused: Array<[string, string]> = [
    ['the command link of finding 1', '[Allow Once](command:memcloud.offload?"/etc")'],
    ['a markdown link', '[desk](https://evil.example)'],
    ['parentheses', 'desk (work)'],
    ['angle brackets', '<img src=x>'],
    ['a right-to-left override', 'desk\u202Epotpal'],
    ['a zero-width space', 'de\u200bsk'],
    ['a C1 control', 'desk\u0085'],
    ['an escape sequence', 'desk\u001b[2J'],
    ['a line break', 'desk\nWARNING'],
    ['a trusted device\'s fingerprint', 'desk 7K3Q-MX2A-P9RT-4WZC'],
    ['a name not in NFC', 'de\u0301sk'],
    ['a surrounding space', ' desk'],
    ['65 bytes', 'x'.repeat(65)],
  ];

  test('a name that breaks the rule is refused with the generic ABORT; no consent is asked', async () => {
    const b = track(await createEndpoint({ name: 'beta', backend: 'native' }));
    const watch = new VictimWatch(b);
    for (const [what, name] of refused) {
      const hs = await hostileHandshake(b.port, { name });
      try {
        await hs.peer.waitClosed();
        const frames = hs.peer.frames;
        assert.deepEqual(frames.map((f) => f.type), [HANDSHAKE, ABORT], `${what}: message 2, then ABORT`);
        assert.deepEqual(frames[1]!.raw, GENERIC_ABORT, `${what}: the generic ABORT`);
      } finally {
        hs.peer.destroy();
      }
    }
    watch.assertUntouched('hostile names');
  });

  test('the same attacker with a valid name does reach consent (the refusals above are about the name)', async () => {
    const b = track(await createEndpoint({ name: 'beta', backend: 'native' }));
    const asked = once(b.consent, 'request') as Promise<[ConsentRequest]>;
    const hs = await hostileHandshake(b.port, { name: 'Allow Once command:memcloud.offload?"/etc"' });
    try {
      const [req] = await asked;
      assert.equal(req.name, 'Allow Once command:memcloud.offload?"/etc"');
      assert.equal(req.nameMatchesTrustedFingerprint, undefined);
      b.consent.answer(req.id, 'deny');
      await hs.peer.waitClosed();
    } finally {
      hs.peer.destroy();
    }
  });

  async function victimTrustingDesk(): Promise<{ b: Endpoint; desk: DeviceIdentity }> {
    const b = track(await createEndpoint({ name: 'beta', backend: 'native' }));
    const desk = DeviceIdentity.generate();
    await b.trust.trust(desk.publicKey, { name: 'desk', approval: 'cli' });
    return { b, desk };
  }

  for (const [what, name] of [
    ['a Cyrillic е', 'd\u0435sk'],
    ['capitals', 'DESK'],
    ['full-width letters', 'ｄｅｓｋ'],
    ['a separator', 'de-sk'],
  ] as const) {
    test(`a look-alike of a trusted name (${what}) asks consent with the impostor warning`, async () => {
      const { b, desk } = await victimTrustingDesk();
      const asked = once(b.consent, 'request') as Promise<[ConsentRequest]>;
      const hs = await hostileHandshake(b.port, { name });
      try {
        const [req] = await asked;
        assert.equal(req.name, name, 'shown as it is, so the difference can be seen');
        assert.equal(req.nameMatchesTrustedFingerprint, desk.fingerprint);
        b.consent.answer(req.id, 'deny');
        await hs.peer.waitClosed();
      } finally {
        hs.peer.destroy();
      }
      assert.equal(b.trust.list().length, 1, 'nothing new is trusted');
    });
  }

  test('a name quoting two groups of a trusted device\'s fingerprint is flagged the same way', async () => {
    const { b, desk } = await victimTrustingDesk();
    const fragment = desk.fingerprint.split('-').slice(1, 3).join('-');
    const asked = once(b.consent, 'request') as Promise<[ConsentRequest]>;
    const hs = await hostileHandshake(b.port, { name: `laptop ${fragment}` });
    try {
      const [req] = await asked;
      assert.equal(req.nameMatchesTrustedFingerprint, desk.fingerprint);
      b.consent.answer(req.id, 'deny');
      await hs.peer.waitClosed();
    } finally {
      hs.peer.destroy();
    }
  });

  test('"Trust Always" stores the device under the name it showed, at the limits of the rule', async () => {
    const b = track(await createEndpoint({ name: 'beta', backend: 'native' }));
    const name = `שולחן ❤️ b\u0301\u0301\u0301\u0301 ${'é'.repeat(18)}`;
    assert.ok(Buffer.byteLength(name) <= 64, `${Buffer.byteLength(name)} bytes`);
    b.consent.once('request', (req: ConsentRequest) => b.consent.answer(req.id, 'always'));
    const attacker = DeviceIdentity.generate();
    const session = await hostileSession(b.port, { identity: attacker, name });
    try {
      assert.equal((await session.peer.nextFrame()).type, TRANSPORT, 'the session carries on');
      const stored = b.trust.get(attacker.publicKey);
      assert.equal(stored?.status, 'trusted');
      assert.equal(stored?.name, name);
      assert.equal(stored?.approval, 'consent-always');
    } finally {
      session.peer.destroy();
    }
  });

  test('"Trust Always" still admits when the trust file cannot be written at that moment', async () => {
    const b = track(await createEndpoint({ name: 'beta', backend: 'native' }));
    const file = join(b.home, 'trusted_devices.json');
    b.consent.once('request', (req: ConsentRequest) => {
      // The file turns into something that cannot be read or replaced just before the answer.
      void rm(file, { force: true })
        .then(() => mkdir(file))
        .then(() => b.consent.answer(req.id, 'always'));
    });
    const attacker = DeviceIdentity.generate();
    const session = await hostileSession(b.port, { identity: attacker, name: 'laptop' });
    try {
      assert.equal((await session.peer.nextFrame()).type, TRANSPORT, 'admitted: the approval was not turned into a refusal');
      assert.equal(b.trust.isTrusted(attacker.publicKey), true, 'trusted in this process, to be written once the file is usable');
      assert.equal(b.trust.problem?.code, 'TRUST_STORE_CORRUPT', 'and the unusable file is reported');
    } finally {
      session.peer.destroy();
      await rm(file, { recursive: true, force: true });
    }
  });
});
