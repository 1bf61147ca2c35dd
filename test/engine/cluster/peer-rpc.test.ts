// PeerRpc's part of the RAM protocol's exactness (docs/protocol.md section 7), over real TCP: a
// request id may be reused once answered, never while the request is still in flight.

import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PeerRpc, type PeerRequestHandler } from '../../../engine/cluster/peer-rpc';
import { encodeOk, type PeerRequest } from '../../../engine/cluster/peer-protocol';
import type { MemCloudError } from '../../../engine/errors';
import { DeviceIdentity } from '../../../engine/identity/device-identity';
import { closeSharedPool, createEndpoint } from '../../support/endpoints';
import { nextSession } from '../../support/session-helpers';
import { closeAfterEach } from '../../support/attacks/cleanup';
import { hostileSession } from '../../support/attacks/hostile-initiator';
import { HostileRamPeer, ramMessage } from '../../support/attacks/hostile-ram-peer';

after(closeSharedPool);

/** Holds every request until release() answers it. */
class SlowHolder implements PeerRequestHandler {
  readonly held: Array<{ link: PeerRpc; req: PeerRequest }> = [];
  request(link: PeerRpc, req: PeerRequest): void {
    this.held.push({ link, req });
  }
  notice(): void {}
  release(): void {
    for (const { link, req } of this.held.splice(0)) link.send(encodeOk(req.op, req.id));
  }
}

const STAT = 0x04;

describe('PeerRpc: request ids in flight', () => {
  const track = closeAfterEach();

  async function setup() {
    const victim = track(await createEndpoint({ name: 'victim', backend: 'native', pool: false }));
    const identity = DeviceIdentity.generate();
    await victim.trust.trust(identity.publicKey, { name: 'mallory', approval: 'cli' });
    const opened = nextSession(victim);
    const peer = new HostileRamPeer(await hostileSession(victim.port, { identity }), () => null);
    track({ close: () => peer.close() });
    const holder = new SlowHolder();
    const errors: MemCloudError[] = [];
    const link = new PeerRpc(await opened, holder, (l, err) => (errors.push(err), l.session.channel.abort(err)));
    return { peer, holder, errors, link };
  }

  test('a second request with the id of one not yet answered closes the session with ABORT', async () => {
    const { peer, holder, errors } = await setup();
    peer.sendApp(ramMessage(STAT, 7));
    peer.sendApp(ramMessage(STAT, 8));
    peer.sendApp(ramMessage(STAT, 7));
    await peer.session.peer.waitClosed();
    assert.ok(peer.abortedByVictim, 'generic ABORT');
    assert.equal(holder.held.length, 2, 'the duplicate was never dispatched');
    assert.match(errors[0]!.message, /request id 7 is already in flight/);
  });

  test('an id may be reused once its reply went out', async () => {
    const { peer, holder, errors } = await setup();
    for (let round = 0; round < 3; round++) {
      peer.sendApp(ramMessage(STAT, 7));
      while (holder.held.length === 0) await new Promise((r) => setTimeout(r, 10));
      holder.release();
      await peer.nextApp((b) => b[0] === 0x84 && b.readUInt32BE(1) === 7 && peer.received.filter((m) => m.body[0] === 0x84).length > round);
    }
    assert.equal(peer.received.filter((m) => m.kind === 0 && m.body[0] === 0x84).length, 3);
    assert.deepEqual(errors, []);
    assert.ok(peer.session.peer.isOpen);
  });
});
