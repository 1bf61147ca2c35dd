// Attack 6, transport half, over real TCP on 127.0.0.1: a device the victim trusts turns hostile
// inside an established session (its own Noise state, its own records): oversized and malformed
// channel messages, replayed and skipped records, HELLO games. Each must close the session, and
// nothing in or after the offending record may be delivered.

import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { CipherState } from '../../../../engine/crypto/noise/cipher-state';
import { DeviceIdentity } from '../../../../engine/identity/device-identity';
import { closeSharedPool, createEndpoint, type Endpoint } from '../../../support/endpoints';
import { nextMessages, nextSession, waitClosed } from '../../../support/session-helpers';
import { allocationsDuring } from '../../../support/attacks/alloc-spy';
import { closeAfterEach } from '../../../support/attacks/cleanup';
import { hostileSession, type HostileSession } from '../../../support/attacks/hostile-initiator';
import { channelMessage } from '../../../support/attacks/hostile-noise';
import { VictimWatch } from '../../../support/attacks/victim-watch';
import { GENERIC_ABORT, HANDSHAKE, assertGenericAborts, frame } from '../../../support/attacks/wire-bytes';

after(closeSharedPool);

const APP = 0;
const HELLO = 1;
const CLOSE = 2;
const PING = 3;
const MAX_BODY = 16 * 1024 * 1024 + 4096;
const after1 = channelMessage(APP, Buffer.from('must not be delivered'));

interface Case {
  readonly what: string;
  /** Bytes written after a good APP message went through; by default one record of `plaintext`. */
  readonly plaintext?: (s: HostileSession) => Buffer;
  readonly write?: (s: HostileSession) => void;
  /** Section 0: a record that fails authentication ends the session without ABORT; every other fault sends it. */
  readonly silent?: true;
}

const cases: Case[] = [
  { what: 'a channel message of length ffffffff', plaintext: () => channelMessage(APP, Buffer.alloc(0), 0xffffffff) },
  { what: 'a channel message one byte over the limit', plaintext: () => channelMessage(APP, Buffer.alloc(0), MAX_BODY + 2) },
  { what: 'a channel message of length 0', plaintext: () => channelMessage(APP, Buffer.alloc(0), 0) },
  { what: 'channel message kind 5', plaintext: () => channelMessage(5, Buffer.from('x')) },
  { what: 'channel message kind 255', plaintext: () => channelMessage(255, Buffer.from('x')) },
  { what: 'a second HELLO', plaintext: (s) => channelMessage(HELLO, s.channelId) },
  { what: 'a PING of 7 bytes', plaintext: () => channelMessage(PING, Buffer.alloc(7)) },
  { what: 'CLOSE with an unknown reason', plaintext: () => channelMessage(CLOSE, Buffer.from([9])) },
  { what: 'a replayed record', write: (s) => s.peer.write(s.lastRecord!), silent: true },
  { what: 'a skipped nonce', write: (s) => (skipNonce(s.send), s.sendRecord(after1)), silent: true },
  { what: 'a record shorter than a tag', write: (s) => s.peer.write(frame(2, Buffer.alloc(15))), silent: true },
  { what: 'an empty record', write: (s) => s.sendRecord(Buffer.alloc(0)) },
  { what: 'a HANDSHAKE frame after the handshake', write: (s) => s.peer.write(frame(HANDSHAKE, Buffer.alloc(48))) },
];

function skipNonce(send: CipherState): void {
  send.setNonce(send.nonce + 1);
}

describe('attack 6: malformed input inside an established session', () => {
  const track = closeAfterEach();

  async function victimTrusting(identity: DeviceIdentity): Promise<Endpoint> {
    const b = track(await createEndpoint({ name: 'beta', backend: 'native' }));
    await b.trust.trust(identity.publicKey, { name: 'mallory', approval: 'cli' });
    return b;
  }

  test('6. each malformed record closes the session; nothing in or after it is delivered, nothing big allocated', async () => {
    const identity = DeviceIdentity.generate();
    const b = await victimTrusting(identity);
    const sizes = await allocationsDuring(async () => {
      for (const c of cases) {
        const watch = new VictimWatch(b);
        const opened = nextSession(b);
        const s = await hostileSession(b.port, { identity });
        track(s.peer);
        const session = await opened;
        const good = nextMessages(session.channel, 1);
        s.sendRecord(channelMessage(APP, Buffer.from('before')));
        assert.equal((await good)[0]!.toString(), 'before', `${c.what}: the session works`);
        const closed = waitClosed(session.channel);
        if (c.write) c.write(s);
        else s.sendRecord(Buffer.concat([c.plaintext!(s), after1]));
        s.sendRecord(after1);
        assert.ok(await closed, `${c.what}: closed with an error`);
        await s.peer.waitClosed();
        assert.deepEqual(watch.messages.map(String), ['before'], `${c.what}: nothing delivered after the fault`);
        assertGenericAborts(s.peer.frames, c.what);
        const last = s.peer.frames.at(-1)!.raw;
        if (c.silent) assert.notDeepEqual(last, GENERIC_ABORT, `${c.what}: closed without ABORT`);
        else assert.deepEqual(last, GENERIC_ABORT, `${c.what}: fatal, so ABORT before the close`);
        assert.equal(b.sessions.sessions().length, 0, `${c.what}: no session left`);
        watch.stop();
      }
    });
    assert.ok(Math.max(...sizes) <= 65536, `largest allocation ${Math.max(...sizes)} bytes`);
  });

  test('6. before HELLO: application data, or a HELLO with the wrong channel id, closes without a session', async () => {
    const identity = DeviceIdentity.generate();
    const b = await victimTrusting(identity);
    const watch = new VictimWatch(b);
    const openers: Array<[string, (id: Buffer) => Uint8Array]> = [
      ['APP before HELLO', () => channelMessage(APP, Buffer.from('early'))],
      ['PING before HELLO', () => channelMessage(PING, Buffer.alloc(8))],
      ['HELLO with a wrong channel id', (id) => channelMessage(HELLO, Buffer.from(id.map((x) => x ^ 1)))],
      ['HELLO with a short channel id', (id) => channelMessage(HELLO, id.subarray(0, 31))],
    ];
    for (const [what, hello] of openers) {
      const s = await hostileSession(b.port, { identity, hello });
      track(s.peer);
      s.sendRecord(after1);
      await s.peer.waitClosed();
      assertGenericAborts(s.peer.frames, what);
    }
    watch.assertUntouched('HELLO games');
  });
});
