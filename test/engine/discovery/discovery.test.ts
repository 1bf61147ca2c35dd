// Real multicast between network namespaces: each node is a child process in its own namespace,
// all joined by a bridge in another namespace. Nothing runs mDNS in the host's own namespace.
// Needs root and iproute2; without them these tests fail (they never skip).

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { NetnsLan, type NetnsHost, type NetnsProcess } from '../../support/netns';
import type { DiscoveredPeer } from '../../../engine/discovery/types';
import { fakeIdentity, type FakeIdentity } from './helpers';

const FIXTURES = join(import.meta.dirname, 'fixtures');
const TTL_SECONDS = 6;
/** Longer than any wait in these tests. */
const LONG_TTL_SECONDS = 600;

interface Node {
  readonly label: string;
  readonly id: FakeIdentity;
  readonly host: NetnsHost;
  readonly port: number;
  readonly name: string;
  /** Restrict to the veth address (true) or use every interface (false: also advertises IPv6). */
  readonly restricted: boolean;
  /** Labels of the nodes this one trusts (its discovery keeps room for them). */
  readonly trusts?: readonly string[];
  proc?: NetnsProcess;
}

type PeerEvent = { event: 'up' | 'update' | 'down'; peer: DiscoveredPeer };
type PeersLine = { event: 'peers'; peers: DiscoveredPeer[] };

const isPeerEvent = (kind: PeerEvent['event'], key: string, pred: (p: DiscoveredPeer) => boolean = () => true) =>
  (line: unknown): line is PeerEvent => {
    const l = line as Partial<PeerEvent>;
    return l?.event === kind && l.peer?.publicKey === key && pred(l.peer);
  };
const isPeers = (line: unknown): line is PeersLine => (line as { event?: string })?.event === 'peers';
const isEvent = (name: string) => (line: unknown): line is { event: string } => (line as { event?: string })?.event === name;

function expectedAddresses(n: Node): string[] {
  return n.restricted ? [n.host.address] : [n.host.address, n.host.address6!];
}

function assertIsNode(peer: DiscoveredPeer, n: Node): void {
  assert.equal(peer.publicKey, n.id.publicKey);
  assert.equal(peer.fingerprint, n.id.fingerprint);
  assert.equal(peer.name, n.name);
  assert.equal(peer.port, n.port);
  assert.equal(peer.protocolVersion, 1);
  assert.deepEqual(peer.addresses, expectedAddresses(n));
}

describe('LAN discovery over real multicast between network namespaces', () => {
  let lan: NetnsLan | undefined;
  const nodes: Node[] = [];

  function start(n: Node, ttlSeconds = TTL_SECONDS): NetnsProcess {
    const opts = {
      publicKey: n.id.publicKey,
      fingerprint: n.id.fingerprint,
      name: n.name,
      port: n.port,
      offeredBytes: 1 << 20,
      ttlSeconds,
      queryIntervalMs: 1000,
      ...(n.restricted ? { interfaceAddresses: [n.host.address] } : {}),
      preferredKeys: nodes.filter((o) => n.trusts?.includes(o.label)).map((o) => o.id.publicKey),
    };
    n.proc = lan!.spawnNode(n.host, ['--import', 'tsx', join(FIXTURES, 'advertise.ts'), JSON.stringify(opts)]);
    return n.proc;
  }

  /** Waits until `observer` has reported `target` up (from line `from` on) and checks every field. */
  async function seesUp(observer: Node, target: Node, from = 0): Promise<void> {
    const ev = await observer.proc!.waitFor(isPeerEvent('up', target.id.publicKey), `${observer.label} to see ${target.label} up`, 20_000, from);
    assertIsNode(ev.peer, target);
  }

  async function peersOf(n: Node): Promise<DiscoveredPeer[]> {
    const from = n.proc!.lines.length;
    n.proc!.send('peers');
    return (await n.proc!.waitFor(isPeers, `${n.label}'s peer list`, 10_000, from)).peers;
  }

  /**
   * `observer`'s listing of `target` once it is there (within 20 s). Nodes here announce with a
   * 6 s TTL: on a loaded machine a listing can lapse and come back, and a trusted device regains
   * its place in a flooded table.
   */
  async function listingOf(observer: Node, target: Node): Promise<DiscoveredPeer> {
    for (let i = 0; ; i++) {
      const found = (await peersOf(observer)).find((p) => p.publicKey === target.id.publicKey);
      if (found !== undefined) return found;
      if (i >= 100) assert.fail(`${observer.label} does not list ${target.label}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  let setupError: unknown;
  /** Every test fails (never skips) with the setup error, e.g. "needs root and iproute2". */
  function ready(): void {
    if (setupError !== undefined) throw setupError;
  }

  before(async () => {
    try {
      lan = await NetnsLan.create(4, { ipv6: true });
    } catch (err) {
      setupError = err;
      return;
    }
    const [h0, h1, h2] = lan.hosts;
    nodes.push(
      { label: 'A', id: fakeIdentity(), host: h0!, port: 7100, name: 'alpha', restricted: true, trusts: ['B', 'C'] },
      { label: 'B', id: fakeIdentity(), host: h1!, port: 7101, name: 'bravo', restricted: true },
      { label: 'C', id: fakeIdentity(), host: h2!, port: 7102, name: 'charlie 🚀', restricted: false, trusts: ['A'] },
    );
  });

  after(async () => {
    const l = lan;
    lan = undefined;
    await l?.destroy();
    if (l !== undefined) assert.deepEqual(l.existingNamespaces(), [], 'every namespace of the LAN is gone');
  });

  test('two nodes find each other: the other namespace address, the SRV port, name and key', async () => {
    ready();
    const [a, b] = nodes as [Node, Node];
    start(a);
    start(b, LONG_TTL_SECONDS); // so that only its goodbye can explain B going down, later
    await Promise.all([seesUp(a, b), seesUp(b, a)]);
  });

  test('a third node (every interface, so IPv4 and IPv6) sees both and both see it', async () => {
    ready();
    const [a, b, c] = nodes as [Node, Node, Node];
    start(c);
    await Promise.all([seesUp(a, c), seesUp(b, c), seesUp(c, a), seesUp(c, b)]);
    for (const n of nodes) {
      const peers = await peersOf(n);
      const others = nodes.filter((o) => o !== n);
      assert.deepEqual(peers.map((p) => p.publicKey).sort(), others.map((o) => o.id.publicKey).sort(), `${n.label} lists exactly the others, never itself`);
      for (const o of others) assertIsNode(peers.find((p) => p.publicKey === o.id.publicKey)!, o);
    }
  });

  test('a new offer is re-announced and seen as an update', async () => {
    ready();
    const [a, b, c] = nodes as [Node, Node, Node];
    const marks = [b.proc!.lines.length, c.proc!.lines.length];
    a.proc!.send('offer 123456789');
    const offered = isPeerEvent('update', a.id.publicKey, (p) => p.offeredBytes === 123456789);
    await Promise.all([b.proc!.waitFor(offered, 'B to see A update', 20_000, marks[0]), c.proc!.waitFor(offered, 'C to see A update', 20_000, marks[1])]);
  });

  test('a stopped node says goodbye and goes down long before its TTL; restarted, it comes back', async () => {
    ready();
    const [a, b, c] = nodes as [Node, Node, Node];
    const marks = [a.proc!.lines.length, c.proc!.lines.length];
    b.proc!.send('stop');
    await b.proc!.waitFor(isEvent('stopped'), 'B to stop');
    assert.equal(await b.proc!.exited, 0);
    // B's records had a 600 s TTL and these waits end long before: only the goodbye explains it.
    await Promise.all([
      a.proc!.waitFor(isPeerEvent('down', b.id.publicKey), 'A to see B down', 20_000, marks[0]),
      c.proc!.waitFor(isPeerEvent('down', b.id.publicKey), 'C to see B down', 20_000, marks[1]),
    ]);
    const again = [a.proc!.lines.length, c.proc!.lines.length];
    start(b); // short TTL this time: the next test lets it expire
    await Promise.all([seesUp(a, b, again[0]), seesUp(c, b, again[1]), seesUp(b, a), seesUp(b, c)]);
  });

  test('a node that dies without a goodbye expires after its TTL', async () => {
    ready();
    const [a, b, c] = nodes as [Node, Node, Node];
    const marks = [a.proc!.lines.length, c.proc!.lines.length];
    await b.proc!.kill('SIGKILL');
    await Promise.all([
      a.proc!.waitFor(isPeerEvent('down', b.id.publicKey), 'A to expire B', 20_000, marks[0]),
      c.proc!.waitFor(isPeerEvent('down', b.id.publicKey), 'C to expire B', 20_000, marks[1]),
    ]);
    const peers = await peersOf(a);
    assert.deepEqual(peers.map((p) => p.publicKey), [c.id.publicKey]);
  });

  test('hostile traffic (garbage, bad values, a flood of fake peers) crashes nothing and is bounded', async () => {
    ready();
    const [a, , c] = nodes as [Node, Node, Node];
    const mallory = lan!.hosts[3]!;
    const hostile = lan!.spawnNode(mallory, ['--import', 'tsx', join(FIXTURES, 'hostile.ts'), JSON.stringify({ address: mallory.address })], 60_000);
    await hostile.waitFor(isEvent('done'), 'the hostile sender to finish', 30_000);
    for (const n of [a, c]) {
      // Wait for the flood to fill the table, then check what made it in.
      let peers: DiscoveredPeer[] = [];
      for (let i = 0; i < 50 && peers.length < 256; i++) {
        peers = await peersOf(n);
        if (peers.length < 256) await new Promise((r) => setTimeout(r, 200));
      }
      assert.equal(peers.length, 256, `${n.label} tracks at most 256 peers`);
      assert.ok(n.proc!.running, `${n.label} is still running`);
      const other = n === a ? c : a; // A and C trust each other
      assertIsNode(await listingOf(n, other), other);
      for (const p of peers) {
        // A TXT name is a hint: one with controls or bidi overrides is sanitized (protocol.md 3.3.1), not refused.
        const sanitized: Record<string, string> = { 'evil-ctrl': 'evil 2J', 'evil-bidi': 'evilexe' };
        if (p.instance in sanitized) assert.equal(p.name, sanitized[p.instance], `${n.label} sanitized ${p.instance}`);
        else assert.ok(!p.instance.startsWith('evil'), `${n.label} refused ${p.instance}`);
        assert.ok(/^[\p{L}\p{N}\p{So} -]+$/u.test(p.name), `${JSON.stringify(p.name)} has no control characters`);
        assert.ok(p.port > 0);
        assert.ok(p.addresses.every((x) => !x.startsWith('127.') && !x.startsWith('224.')));
      }
      assert.equal(n.proc!.lines.filter(isEvent('error')).length, 0, `${n.label} reported no error`);
    }
  });

  test('a table full of fake peers still takes a trusted device that comes back; an untrusted one stays out', async () => {
    ready();
    const [a, b, c] = nodes as [Node, Node, Node];
    assert.equal((await peersOf(a)).length, 256, 'the flood has filled A');
    assert.equal((await peersOf(c)).length, 256, 'the flood has filled C');
    const marks = [a.proc!.lines.length, c.proc!.lines.length];
    start(b, LONG_TTL_SECONDS); // B died in an earlier test; A trusts it, C trusts only A
    await seesUp(a, b, marks[0]);
    const peersOfA = await peersOf(a);
    assert.equal(peersOfA.length, 256, 'A still tracks at most 256 peers');
    assertIsNode(await listingOf(a, b), b);
    assertIsNode(await listingOf(a, c), c);
    // C has no room for B: it is never listed there, and C's table stays at its cap.
    const peersOfC = await peersOf(c);
    assert.equal(peersOfC.length, 256);
    assert.ok(!peersOfC.some((p) => p.publicKey === b.id.publicKey), 'C does not list B');
    assert.ok(!c.proc!.lines.slice(marks[1]).some(isPeerEvent('up', b.id.publicKey)), 'C never reported B up');
  });
});
