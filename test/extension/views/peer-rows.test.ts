import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { connectedCount, peerContextValue, peerRow, peerRows } from '../../../extension/views/peer-rows';
import { diffRows } from '../../../extension/views/rows';
import { aPeer } from '../../support/data-model';

const MiB = 1024 ** 2;

const peer = aPeer;

describe('Peers rows', () => {
  test('a connected peer: name, short fingerprint, address, offer and our use, latency bucket', () => {
    const r = peerRow(peer());
    assert.equal(r.label, 'desk');
    assert.equal(r.description, '7K3Q-MX2A · 192.168.1.20:7797 · offers 4 GiB, we use 64 MiB · <5 ms');
    assert.equal(r.contextValue, 'peer:connected:trusted');
    assert.equal(r.icon?.id, 'vm-active');
    assert.match(r.tooltip!, /Fingerprint: 7K3Q-MX2A-P9RT-4WZC/);
    assert.match(r.tooltip!, /It stores here: 0 B of 1 GiB allowed/);
  });

  test('contextValue carries state and trust for the menus', () => {
    assert.equal(peerContextValue(peer({ state: 'pending-consent', trusted: false })), 'peer:pending:untrusted');
    assert.equal(peerContextValue(peer({ state: 'discovered', trusted: false })), 'peer:discovered:untrusted');
    assert.equal(peerContextValue(peer({ state: 'disconnected' })), 'peer:disconnected:trusted');
    assert.equal(peerContextValue(peer({ state: 'connecting', trusted: false })), 'peer:connecting:untrusted');
  });

  test('pending, discovered and offline peers say so', () => {
    assert.equal(peerRow(peer({ state: 'pending-consent', trusted: false, latencyMs: null })).description, '7K3Q-MX2A · waiting for your consent · 192.168.1.20:7797');
    assert.equal(peerRow(peer({ state: 'discovered', trusted: false, latencyMs: null })).description, '7K3Q-MX2A · 192.168.1.20:7797 · offers 4 GiB · not trusted');
    assert.equal(peerRow(peer({ state: 'disconnected', addresses: [], latencyMs: null })).description, '7K3Q-MX2A · offline');
    assert.equal(peerRow(peer({ latencyMs: null })).description, '7K3Q-MX2A · 192.168.1.20:7797 · offers 4 GiB, we use 64 MiB', 'unknown latency is left out');
  });

  test('jitter in latency and bytes within the rounding does not change the rows', () => {
    const a = peerRows([peer({ latencyMs: 2.1, usedByUsBytes: 64 * MiB + 10 })]);
    const b = peerRows([peer({ latencyMs: 4.7, usedByUsBytes: 64 * MiB + 2000 })]);
    assert.deepEqual(diffRows(a, b), { kind: 'none' });
    const c = peerRows([peer({ latencyMs: 40 })]);
    assert.deepEqual(diffRows(a, c), { kind: 'items', ids: [`peer:${'K'.repeat(43)}`] });
  });

  test('ordered: connected, connecting, pending, discovered, offline; by name within', () => {
    const rows = peerRows([
      peer({ publicKey: 'a', name: 'zeta', state: 'disconnected' }),
      peer({ publicKey: 'b', name: 'beta', state: 'pending-consent' }),
      peer({ publicKey: 'c', name: 'omega' }),
      peer({ publicKey: 'd', name: 'alpha' }),
      peer({ publicKey: 'e', name: 'nas', state: 'discovered' }),
    ]);
    assert.deepEqual(rows.map((r) => r.label), ['alpha', 'omega', 'beta', 'nas', 'zeta']);
  });

  test('connected count for the badge', () => {
    assert.equal(connectedCount([peer(), peer({ state: 'pending-consent' }), peer({ publicKey: 'x' })]), 2);
    assert.equal(connectedCount([]), 0);
  });

  test('a device named like a trusted one: a warning icon, NOT your trusted device, whose fingerprint', () => {
    const r = peerRow(peer({ name: 'd\u0435sk', state: 'discovered', trusted: false, nameMatchesTrustedFingerprint: 'AAAA-BBBB-CCCC-DDDD' }));
    assert.equal(r.label, 'd\u0435sk');
    assert.equal(r.icon?.id, 'warning');
    assert.match(r.description!, /^7K3Q-MX2A · NOT your trusted device AAAA-BBBB · /);
    assert.match(r.tooltip!, /fingerprint AAAA-BBBB-CCCC-DDDD; this is a different key/);
    assert.equal(peerRow(peer({ state: 'discovered', trusted: false })).icon?.id, 'vm-outline', 'no flag, no warning');
  });
});
