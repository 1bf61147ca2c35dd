// Issue 8 item 5, "strangers cannot lock out friends", against a real node process over real TCP:
// a stranger floods the node from one address with idle connections and with devices that finish
// the handshake and wait for consent, and keeps it up; a trusted device still connects, the
// node's memory stays flat, and what waits is bounded (docs/protocol.md section 4.1). Loopback
// addresses stand for machines: the stranger is 127.0.0.2, the friend 127.0.0.1 (and then the
// stranger's own address, which only idle connections fill).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeviceIdentity } from '../../../../engine/identity/device-identity';
import { MemCloud } from '../../../../engine/sdk/client';
import { cli, startNode, type RunningNode } from '../../../support/node-process';
import { closeSharedPool, createEndpoint, type Endpoint } from '../../../support/endpoints';
import { withTimeout } from '../../../support/session-helpers';
import { hostileHandshake, type HostileHandshake } from '../../../support/attacks/hostile-initiator';
import { RawPeer } from '../../../support/attacks/raw-peer';

const STRANGER = '127.0.0.2';
const root = mkdtempSync(join(tmpdir(), 'memcloud-lockout-'));
const home = join(root, 'victim');
let node: RunningNode;
let friend: Endpoint;
let control: MemCloud;

before(async () => {
  node = await startNode('victim', home);
  friend = await createEndpoint({ name: 'friend', backend: 'native', pool: false });
  cli(home, ['trust', 'add', friend.identity.publicKeyText, '--name', 'friend']);
  await friend.trust.trust(Buffer.from(JSON.parse(cli(home, ['id', '--json'])).publicKey, 'base64url'), { name: 'victim', approval: 'cli' });
  control = await MemCloud.connect({ home });
});
after(async () => {
  await control?.close();
  await friend?.close();
  await closeSharedPool();
  await node?.stop();
  rmSync(root, { recursive: true, force: true });
});

/** Resident memory of a process now (VmRSS), in MiB. */
function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m![1]) / 1024;
}

/** Keeps `count` idle connections open from `from`: each one the node closes is replaced at once. */
class IdleFlood {
  opened = 0;
  closedByNode = 0;
  private stopped = false;
  private readonly live = new Set<RawPeer>();
  private readonly running: Promise<void>[] = [];

  constructor(port: number, from: string, count: number) {
    for (let i = 0; i < count; i++) this.running.push(this.keepOne(port, from));
  }

  private async keepOne(port: number, from: string): Promise<void> {
    while (!this.stopped) {
      let peer: RawPeer;
      try {
        peer = await RawPeer.connect(port, from);
      } catch {
        continue; // the node's backlog was full: try again
      }
      this.opened++;
      this.live.add(peer);
      await peer.closed;
      this.live.delete(peer);
      if (!this.stopped) this.closedByNode++;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const p of this.live) p.destroy();
    await Promise.all(this.running);
  }
}

/** `count` strangers complete the handshake (a few at a time, as many as the half-open limit lets in). */
async function strangersWaitingForConsent(count: number, identities: DeviceIdentity[]): Promise<HostileHandshake[]> {
  const out: HostileHandshake[] = [];
  for (let i = 0; i < count; i += 6) {
    await Promise.all(
      Array.from({ length: Math.min(6, count - i) }, async (_, j) => {
        out.push(await hostileHandshake(node.port, { identity: identities[(i + j) % identities.length]!, localAddress: STRANGER }));
      }),
    );
  }
  return out;
}

async function friendConnects(what: string): Promise<number> {
  const started = Date.now();
  const session = await withTimeout(friend.sessions.dial('127.0.0.1', node.port), 30_000, `the friend's session (${what})`);
  const ms = Date.now() - started;
  assert.equal(session.remote.name, 'victim');
  await session.channel.close();
  return ms;
}

describe('strangers cannot lock out friends', () => {
  test('500 idle and 60 consent-waiting connections from one address, kept up: a trusted device connects, RSS stays flat', async () => {
    const pid = node.process.pid!;
    assert.ok((await friendConnects('before the attack')) >= 0, 'the friend can connect at all');
    const rssBefore = rssMiB(pid);

    // 60 handshakes to consent: 30 from one identity (2 may wait), 30 from 30 identities (the queue holds 16).
    const one = DeviceIdentity.generate();
    const many = Array.from({ length: 30 }, () => DeviceIdentity.generate());
    const waiting = [...(await strangersWaitingForConsent(30, [one])), ...(await strangersWaitingForConsent(30, many))];
    assert.equal(waiting.length, 60, 'all 60 completed the handshake');
    const flood = new IdleFlood(node.port, STRANGER, 500);
    while (flood.opened < 500) await new Promise((r) => setTimeout(r, 50));

    const friendMs = await friendConnects('during the attack');
    const rssDuring = rssMiB(pid);
    const consent = await control.consentList();
    const stillWaiting = waiting.filter((h) => h.peer.isOpen);
    const byIdentity = new Map<string, number>();
    for (const h of stillWaiting) byIdentity.set(h.identity.publicKeyText, (byIdentity.get(h.identity.publicKeyText) ?? 0) + 1);
    const stats = await control.stats();
    await flood.stop();
    for (const h of waiting) h.peer.destroy();

    console.log(
      `lockout: friend connected in ${friendMs} ms during the attack; idle connections opened ${flood.opened}, closed by the node ${flood.closedByNode}; ` +
        `handshakes completed ${waiting.length}, still waiting ${stillWaiting.length}, consent requests ${consent.length}; ` +
        `victim RSS ${rssBefore.toFixed(1)} -> ${rssDuring.toFixed(1)} MiB`,
    );
    assert.ok(rssDuring - rssBefore < 32, `victim RSS grew ${(rssDuring - rssBefore).toFixed(1)} MiB under attack`);
    assert.ok(Math.max(0, ...byIdentity.values()) <= 2, `an identity holds ${Math.max(...byIdentity.values())} waiting connections`);
    assert.equal(consent.length, 16, 'the consent queue is full: 16 identities, the first being the repeated one');
    assert.equal(stillWaiting.length, 2 + 15, 'the repeated identity keeps 2 connections waiting, 15 others one each; the rest were refused');
    assert.ok(flood.closedByNode > 0, 'the node cut idle connections');
    assert.ok(stats.at > 0, "the control socket answered during the attack");
  });

  test('a friend behind the same address as an idle flood still gets in: idle connections give way', async () => {
    const flood = new IdleFlood(node.port, '127.0.0.1', 300);
    while (flood.opened < 300) await new Promise((r) => setTimeout(r, 50));
    const ms = await friendConnects('from the flooded address');
    await flood.stop();
    console.log(`lockout: friend behind the flooded address connected in ${ms} ms (idle connections opened ${flood.opened})`);
    assert.ok(flood.closedByNode > 0);
  });
});
