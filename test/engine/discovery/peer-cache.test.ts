import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { PeerCache } from '../../../engine/discovery/peer-cache';
import { parseResponse } from '../../../engine/discovery/records';
import { SERVICE_TYPE } from '../../../engine/discovery/constants';
import { advertisementPacket, fakeIdentity, txtData, type FakeIdentity } from './helpers';

function setup(preferred: ReadonlySet<string> = new Set()) {
  const clock = { t: 1_000_000 };
  const self = fakeIdentity();
  const cache = new PeerCache({ ownPublicKey: self.publicKey, ownInstance: 'me [000000000000]', now: () => clock.t, isPreferred: (k) => preferred.has(k) });
  const feed = (packet: unknown, source?: string) => cache.apply(parseResponse(packet), source);
  return { clock, self, cache, feed };
}

const names = (peers: Array<{ instance: string }>) => peers.map((p) => p.instance).sort();

describe('peer cache', () => {
  test('a complete advertisement brings a peer up with its port, key, name and addresses', () => {
    const { cache, feed, clock } = setup();
    const id = fakeIdentity();
    const ch = feed(advertisementPacket({ instance: 'b', id, port: 7001, addresses: ['10.0.0.2'] }), '10.0.0.2');
    assert.equal(ch.up.length, 1);
    assert.deepEqual(ch.up[0], {
      instance: 'b', publicKey: id.publicKey, name: 'laptop', fingerprint: id.fingerprint, protocolVersion: 1,
      offeredBytes: 1024, addresses: ['10.0.0.2'], port: 7001, lastSeen: clock.t,
    });
    assert.deepEqual(cache.peers(), ch.up);
  });

  test('the same advertisement again is not an update; a new offer or address is', () => {
    const { feed, clock } = setup();
    const id = fakeIdentity();
    feed(advertisementPacket({ instance: 'b', id }));
    clock.t += 1000;
    const same = feed(advertisementPacket({ instance: 'b', id }));
    assert.deepEqual([same.up, same.update, same.down], [[], [], []]);
    const offer = feed(advertisementPacket({ instance: 'b', id, txt: txtData(id, { offer: '5' }) }));
    assert.equal(offer.update[0]?.offeredBytes, 5);
    const moved = feed(advertisementPacket({ instance: 'b', id, txt: txtData(id, { offer: '5' }), addresses: ['10.0.0.9'] }));
    assert.deepEqual(moved.update[0]?.addresses, ['10.0.0.9']);
  });

  test('the sender address is tried first, then IPv4, then IPv6', () => {
    const { feed } = setup();
    const ch = feed(advertisementPacket({ instance: 'b', id: fakeIdentity(), addresses: ['fd00::2', '10.0.0.2', '192.168.7.2'] }), '192.168.7.2');
    assert.deepEqual(ch.up[0]?.addresses, ['192.168.7.2', '10.0.0.2', 'fd00::2']);
  });

  test('a goodbye brings the peer down', () => {
    const { cache, feed } = setup();
    const id = fakeIdentity();
    feed(advertisementPacket({ instance: 'b', id }));
    const ch = feed(advertisementPacket({ instance: 'b', id, ttl: 0 }));
    assert.deepEqual(names(ch.down), ['b']);
    assert.deepEqual(cache.peers(), []);
    assert.equal(cache.size, 0);
  });

  test('a goodbye from another address than the one that announced the instance is ignored (section 8.1)', () => {
    const { cache, feed } = setup();
    const id = fakeIdentity();
    feed(advertisementPacket({ instance: 'b', id, addresses: ['10.0.0.2'] }), '10.0.0.2');
    const spoofed = feed(advertisementPacket({ instance: 'b', id, addresses: ['10.0.0.2'], ttl: 0 }), '10.0.0.66');
    assert.deepEqual([spoofed.up, spoofed.update, spoofed.down], [[], [], []]);
    assert.deepEqual(names(cache.peers()), ['b']);
    // Refreshes from elsewhere do not make the sender entitled to say goodbye either.
    feed(advertisementPacket({ instance: 'b', id, addresses: ['10.0.0.2'] }), '10.0.0.66');
    feed(advertisementPacket({ instance: 'b', id, addresses: ['10.0.0.2'], ttl: 0 }), '10.0.0.66');
    assert.deepEqual(names(cache.peers()), ['b']);
    const real = feed(advertisementPacket({ instance: 'b', id, addresses: ['10.0.0.2'], ttl: 0 }), '10.0.0.2');
    assert.deepEqual(names(real.down), ['b'], 'the announcer itself says goodbye');
  });

  test('a cache-flush from another address adds its addresses but withdraws none', () => {
    const { cache, feed } = setup();
    const id = fakeIdentity();
    feed(advertisementPacket({ instance: 'b', id, host: 'b.local', addresses: ['10.0.0.2'] }), '10.0.0.2');
    feed(advertisementPacket({ instance: 'b', id, host: 'b.local', addresses: ['10.0.0.66'], flush: true }), '10.0.0.66');
    assert.deepEqual(cache.peers()[0]?.addresses, ['10.0.0.2', '10.0.0.66']);
    feed(advertisementPacket({ instance: 'b', id, host: 'b.local', addresses: ['10.0.0.3'], flush: true }), '10.0.0.2');
    assert.deepEqual(cache.peers()[0]?.addresses, ['10.0.0.3'], 'the announcer\'s own flush replaces the set');
  });

  test('peers expire after their TTL without refresh', () => {
    const { cache, feed, clock } = setup();
    feed(advertisementPacket({ instance: 'b', id: fakeIdentity(), ttl: 10 }));
    clock.t += 9_000;
    assert.deepEqual(cache.expire().down, []);
    clock.t += 1_000;
    assert.deepEqual(names(cache.expire().down), ['b']);
    assert.equal(cache.size, 0);
  });

  test('our own advertisement (same key, or same instance) is ignored', () => {
    const { cache, feed, self } = setup();
    assert.deepEqual(feed(advertisementPacket({ instance: 'echo', id: self })).up, []);
    assert.deepEqual(feed(advertisementPacket({ instance: 'me [000000000000]', id: fakeIdentity() })).up, []);
    assert.equal(cache.size, 0);
  });

  test('SRV/TXT/addresses without a PTR, and addresses of hosts no SRV points at, are not kept', () => {
    const { cache, feed } = setup();
    const p = advertisementPacket({ instance: 'b', id: fakeIdentity(), host: 'b.local' }) as { answers: unknown[]; additionals: unknown[] };
    feed({ ...p, answers: p.answers.slice(1) });
    assert.equal(cache.size, 0);
    feed({ type: 'response', answers: p.answers }); // PTR, SRV -> b.local, TXT; no addresses yet
    assert.deepEqual(feed({ type: 'response', answers: [{ name: 'stranger.local', type: 'A', ttl: 120, data: '10.0.0.66' }] }).up, []);
    const fqdn = `b.${SERVICE_TYPE}`;
    const moved = feed({ type: 'response', answers: [{ name: fqdn, type: 'SRV', ttl: 120, flush: true, data: { port: 7000, target: 'stranger.local' } }] });
    assert.deepEqual(moved.up, []); // stranger.local's address was never stored
    assert.deepEqual(cache.missing(), [{ name: 'stranger.local', type: 'A' }, { name: 'stranger.local', type: 'AAAA' }]);
  });

  test('a PTR alone asks for SRV and TXT, then for the target addresses', () => {
    const { cache, feed } = setup();
    const p = advertisementPacket({ instance: 'b', id: fakeIdentity(), host: 'b.local' }) as { answers: unknown[] };
    feed({ type: 'response', answers: [p.answers[0]] });
    const fqdn = `b.${SERVICE_TYPE}`;
    assert.deepEqual(cache.missing(), [{ name: fqdn, type: 'SRV' }, { name: fqdn, type: 'TXT' }]);
    feed({ type: 'response', answers: p.answers.slice(1) });
    assert.deepEqual(cache.missing(), [{ name: 'b.local', type: 'A' }, { name: 'b.local', type: 'AAAA' }]);
    const ch = feed({ type: 'response', answers: [{ name: 'b.local', type: 'A', ttl: 120, flush: true, data: '10.0.0.2' }] });
    assert.deepEqual(names(ch.up), ['b']);
    assert.deepEqual(cache.missing(), []);
  });

  test('cache-flush replaces a host address set; without flush addresses accumulate', () => {
    const { feed } = setup();
    const id = fakeIdentity();
    feed(advertisementPacket({ instance: 'b', id, addresses: ['10.0.0.2', 'fd00::2'] }));
    const merged = feed(advertisementPacket({ instance: 'b', id, addresses: ['10.0.0.3'], flush: false }));
    assert.deepEqual(merged.update[0]?.addresses, ['10.0.0.2', '10.0.0.3', 'fd00::2']);
    const flushed = feed(advertisementPacket({ instance: 'b', id, addresses: ['10.0.0.4'] }));
    assert.deepEqual(flushed.update[0]?.addresses, ['10.0.0.4', 'fd00::2']); // only the A set is flushed
  });

  test('an invalid TXT keeps the previous one; a TXT goodbye brings the peer down', () => {
    const { feed } = setup();
    const id = fakeIdentity();
    feed(advertisementPacket({ instance: 'b', id }));
    const bad = feed(advertisementPacket({ instance: 'b', id, txt: txtData(id, { offer: '-1' }) }));
    assert.deepEqual([bad.up, bad.update, bad.down], [[], [], []]);
    const fqdn = `b.${SERVICE_TYPE}`;
    const gone = feed({ type: 'response', answers: [{ name: fqdn, type: 'TXT', ttl: 0, data: [] }] });
    assert.deepEqual(names(gone.down), ['b']);
  });

  test('a PTR flood cannot grow the cache past its cap, and resolved peers survive it', () => {
    const { cache, feed } = setup();
    const real: FakeIdentity[] = [fakeIdentity(), fakeIdentity()];
    real.forEach((id, i) => feed(advertisementPacket({ instance: `real${i}`, id })));
    for (let burst = 0; burst < 10; burst++) {
      const answers = Array.from({ length: 100 }, (_, i) => ({ name: SERVICE_TYPE, type: 'PTR', ttl: 4500, data: `f${burst}-${i}.${SERVICE_TYPE}` }));
      feed({ type: 'response', answers });
    }
    assert.equal(cache.size, 256);
    assert.deepEqual(names(cache.peers()), ['real0', 'real1']);
    // A newcomer still gets in: the least recently refreshed unresolved entry makes room.
    const ch = feed(advertisementPacket({ instance: 'late', id: fakeIdentity() }));
    assert.deepEqual(names(ch.up), ['late']);
    assert.equal(cache.size, 256);
  });

  test('a flood of complete fake peers stops at the cap without evicting resolved ones', () => {
    const { cache, feed } = setup();
    for (let i = 0; i < 300; i++) feed(advertisementPacket({ instance: `p${i}`, id: fakeIdentity() }));
    assert.equal(cache.size, 256);
    assert.equal(cache.peers().length, 256);
    assert.ok(cache.peers().some((p) => p.instance === 'p0'));
    assert.ok(!cache.peers().some((p) => p.instance === 'p299'));
  });

  test('a table full of resolved fake peers still takes a trusted device; it displaces the least recently seen fake', () => {
    const trusted = fakeIdentity();
    const { cache, feed, clock } = setup(new Set([trusted.publicKey]));
    for (let i = 0; i < 300; i++) {
      clock.t += 10;
      feed(advertisementPacket({ instance: `p${i}`, id: fakeIdentity(), host: `p${i}.local`, addresses: [`10.2.${i >> 8}.${i & 255}`] }));
    }
    assert.equal(cache.peers().length, 256);
    // An untrusted newcomer is not published past the cap, and leaves no entry behind.
    const stranger = feed(advertisementPacket({ instance: 'stranger', id: fakeIdentity(), host: 'stranger.local' }));
    assert.deepEqual([stranger.up, stranger.down], [[], []]);
    assert.equal(cache.size, 256);
    // p0 is the least recently seen fake; refresh it, so p1 becomes the one to go.
    clock.t += 10;
    feed(advertisementPacket({ instance: 'p0', id: fakeIdentity(), host: 'p0.local', addresses: ['10.2.0.0'] }));
    const ch = feed(advertisementPacket({ instance: 'desk', id: trusted, host: 'desk.local', addresses: ['10.9.9.9'] }));
    assert.deepEqual(names(ch.up), ['desk']);
    assert.deepEqual(names(ch.down), ['p1']);
    assert.equal(cache.peers().length, 256);
    assert.equal(cache.size, 256);
    assert.ok(cache.peers().some((p) => p.publicKey === trusted.publicKey && p.addresses[0] === '10.9.9.9'));
    // The fakes keep announcing: the trusted device stays.
    for (let i = 0; i < 300; i++) feed(advertisementPacket({ instance: `q${i}`, id: fakeIdentity(), host: `q${i}.local` }));
    assert.ok(cache.peers().some((p) => p.publicKey === trusted.publicKey));
    assert.ok(cache.size <= 256);
  });

  test('at most 16 addresses are kept per host', () => {
    const { feed } = setup();
    const addresses = Array.from({ length: 40 }, (_, i) => `10.1.0.${i + 1}`);
    const ch = feed(advertisementPacket({ instance: 'b', id: fakeIdentity(), addresses }));
    assert.equal(ch.up[0]?.addresses.length, 16);
  });

  test('known answers list only PTRs with more than half their TTL left; refresh is due at 80%', () => {
    const { cache, feed, clock } = setup();
    feed(advertisementPacket({ instance: 'B', id: fakeIdentity(), ttl: 100 }));
    assert.deepEqual(cache.knownAnswers(), [{ instance: 'B', ttl: 100 }]);
    assert.equal(cache.refreshDue(), false);
    clock.t += 50_000;
    assert.deepEqual(cache.knownAnswers(), []);
    clock.t += 30_500;
    assert.equal(cache.refreshDue(), true);
  });
});
