import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ed25519 } from '@noble/curves/ed25519.js';
import type { PeerInfo } from '../../../engine/api/types';
import { fingerprint } from '../../../engine/identity/fingerprint';
import { pastedKeyCandidate, trustCandidates } from '../../../extension/commands/trust-candidates';
import { aDiscoveredPeer } from '../../support/data-model';

const newKey = () => Buffer.from(ed25519.getPublicKey(ed25519.utils.randomSecretKey()));

const peer = (over: Partial<PeerInfo>): PeerInfo => aDiscoveredPeer({ publicKey: 'k', addresses: ['10.0.0.2:7797'], offeredBytes: 1024 ** 3, ...over });

describe('Trust Device candidates', () => {
  test('pending first, then discovered and allowed-once devices; trusted and offline ones are left out', () => {
    const list = trustCandidates([
      peer({ publicKey: 'a', name: 'nas' }),
      peer({ publicKey: 'b', name: 'zed', state: 'pending-consent' }),
      peer({ publicKey: 'c', name: 'old', trusted: true, state: 'connected' }),
      peer({ publicKey: 'd', name: 'tv', state: 'disconnected' }),
      peer({ publicKey: 'e', name: 'guest', state: 'connected' }),
    ]);
    assert.deepEqual(list.map((c) => [c.name, c.description]), [
      ['zed', 'wants to connect'],
      ['guest', 'connected (allowed once)'],
      ['nas', 'on your network'],
    ]);
    assert.equal(list[2]!.detail, 'Fingerprint 7K3Q-MX2A-P9RT-4WZC · 10.0.0.2:7797 · offers 1 GiB', 'the full fingerprint, to compare out of band');
  });

  test('a pasted key (base64url or hex) becomes an entry with its fingerprint', () => {
    const key = newKey();
    const c = pastedKeyCandidate(key.toString('hex'), [])!;
    assert.equal(c.publicKey, key.toString('base64url'));
    assert.equal(c.icon, 'key');
    assert.equal(c.label, 'Trust the pasted key');
    assert.equal(c.detail, `Fingerprint ${fingerprint(key)}: compare it with the one shown on the other device`);
    const known = pastedKeyCandidate(key.toString('base64url'), [peer({ publicKey: key.toString('base64url'), name: 'desk' })])!;
    assert.equal(known.name, 'desk');
    assert.equal(known.label, 'Trust the pasted key [\u2068desk\u2069]');
  });

  test('filter text is not a key; a broken key or our own key is explained and cannot be picked', () => {
    assert.equal(pastedKeyCandidate('desk', []), undefined);
    assert.equal(pastedKeyCandidate('a much longer filter with spaces in it, not a key', []), undefined);
    const broken = pastedKeyCandidate('A'.repeat(42) + '!', [])!;
    assert.equal(broken.publicKey, undefined);
    assert.match(broken.detail, /Not a MemCloud public key/);
    const own = newKey().toString('base64url');
    const mine = pastedKeyCandidate(own, [], own)!;
    assert.equal(mine.publicKey, undefined);
    assert.match(mine.label, /own key/);
  });

  test('a device named like a trusted one is marked in the picker: warning icon, description, both fingerprints', () => {
    const [c] = trustCandidates([peer({ name: 'd\u0435sk', nameMatchesTrustedFingerprint: 'AAAA-BBBB-CCCC-DDDD' })]);
    assert.equal(c?.icon, 'warning');
    assert.equal(c?.label, 'd\u0435sk');
    assert.match(c!.description, /^NOT your trusted device with this name · on your network$/);
    assert.match(c!.detail, /^Fingerprint 7K3Q-MX2A-P9RT-4WZC \(the device you trust under a name like this has AAAA-BBBB-CCCC-DDDD\)/);
  });
});
