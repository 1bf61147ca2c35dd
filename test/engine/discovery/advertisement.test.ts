import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { announcement, answerQuery, hostName, instanceLabel, type Advertisement } from '../../../engine/discovery/advertisement';
import { SERVICE_ENUMERATION, SERVICE_TYPE } from '../../../engine/discovery/constants';
import { PeerCache } from '../../../engine/discovery/peer-cache';
import { parseQuery, parseResponse } from '../../../engine/discovery/records';
import { fakeIdentity } from './helpers';

function makeAd(): Advertisement {
  const id = fakeIdentity();
  return {
    instance: instanceLabel('Büro.PC', id.publicKey),
    host: hostName(id.publicKey),
    port: 7443,
    txt: { publicKey: id.publicKey, fingerprint: id.fingerprint, name: 'Büro.PC', protocolVersion: 1, offeredBytes: 99 },
    addresses: { multicastInterfaces: ['10.0.0.7'], ipv4: ['10.0.0.7'], ipv6: ['fd00::7'] },
    ttl: 120,
  };
}

const q = (questions: Array<{ name: string; type: string }>, answers: unknown[] = []) => parseQuery({ type: 'query', questions, answers });
const types = (rs: Array<{ type: string }>) => rs.map((r) => r.type);

describe('our advertisement', () => {
  test('instance labels are unique per key, dot-free and short; host names come from the key', () => {
    const id = fakeIdentity();
    const hex = Buffer.from(id.publicKey, 'base64url').subarray(0, 6).toString('hex');
    assert.equal(instanceLabel('a.b', id.publicKey), `a-b [${hex}]`);
    assert.equal(hostName(id.publicKey), `mc-${hex}.local`);
    const long = instanceLabel('😀'.repeat(40), id.publicKey);
    assert.ok(Buffer.byteLength(long) <= 63);
  });

  test('the announcement carries PTR, SRV (real port), TXT and the real A/AAAA; it parses back to the same peer', () => {
    const ad = makeAd();
    const { answers } = announcement(ad);
    assert.deepEqual(types(answers), ['PTR', 'SRV', 'TXT', 'A', 'AAAA']);
    const cache = new PeerCache({ ownPublicKey: fakeIdentity().publicKey, ownInstance: 'other' });
    const ch = cache.apply(parseResponse({ type: 'response', answers }), '10.0.0.7');
    assert.equal(ch.up.length, 1);
    const peer = ch.up[0]!;
    assert.deepEqual(
      { instance: peer.instance, pk: peer.publicKey, name: peer.name, port: peer.port, addresses: peer.addresses, offer: peer.offeredBytes },
      { instance: ad.instance, pk: ad.txt.publicKey, name: 'Büro.PC', port: 7443, addresses: ['10.0.0.7', 'fd00::7'], offer: 99 },
    );
  });

  test('the goodbye is the same records with TTL 0, and takes the peer down', () => {
    const ad = makeAd();
    const bye = announcement(ad, 0).answers;
    assert.ok(bye.every((r) => 'ttl' in r && r.ttl === 0));
    const cache = new PeerCache({ ownPublicKey: fakeIdentity().publicKey, ownInstance: 'other' });
    cache.apply(parseResponse({ type: 'response', answers: announcement(ad).answers }));
    assert.equal(cache.apply(parseResponse({ type: 'response', answers: bye })).down.length, 1);
  });

  test('a PTR query is answered with the PTR, and SRV/TXT/addresses as additionals', () => {
    const r = answerQuery(makeAd(), q([{ name: SERVICE_TYPE, type: 'PTR' }]))!;
    assert.deepEqual(types(r.answers), ['PTR']);
    assert.deepEqual(types(r.additionals), ['SRV', 'TXT', 'A', 'AAAA']);
  });

  test('known-answer suppression: no answer when the querier holds our PTR with half its TTL left', () => {
    const ad = makeAd();
    const known = (ttl: number) => [{ name: SERVICE_TYPE, type: 'PTR', ttl, data: `${ad.instance}.${SERVICE_TYPE}` }];
    assert.equal(answerQuery(ad, q([{ name: SERVICE_TYPE, type: 'PTR' }], known(60))), undefined);
    assert.ok(answerQuery(ad, q([{ name: SERVICE_TYPE, type: 'PTR' }], known(59))));
  });

  test('SRV, TXT, A, AAAA, ANY and enumeration questions get the matching records', () => {
    const ad = makeAd();
    const fqdn = `${ad.instance}.${SERVICE_TYPE}`.toUpperCase();
    const srv = answerQuery(ad, q([{ name: fqdn, type: 'SRV' }]))!;
    assert.deepEqual([types(srv.answers), types(srv.additionals)], [['SRV'], ['A', 'AAAA']]);
    assert.deepEqual(types(answerQuery(ad, q([{ name: fqdn, type: 'TXT' }]))!.answers), ['TXT']);
    assert.deepEqual(types(answerQuery(ad, q([{ name: fqdn, type: 'ANY' }]))!.answers), ['SRV', 'TXT']);
    assert.deepEqual(types(answerQuery(ad, q([{ name: ad.host, type: 'A' }]))!.answers), ['A']);
    assert.deepEqual(types(answerQuery(ad, q([{ name: ad.host, type: 'ANY' }]))!.answers), ['A', 'AAAA']);
    const en = answerQuery(ad, q([{ name: SERVICE_ENUMERATION, type: 'PTR' }]))!;
    assert.deepEqual(en.answers, [{ name: SERVICE_ENUMERATION, type: 'PTR', ttl: 120, data: SERVICE_TYPE }]);
  });

  test('questions that do not concern us get no answer', () => {
    const ad = makeAd();
    assert.equal(answerQuery(ad, q([{ name: '_http._tcp.local', type: 'PTR' }, { name: 'other.local', type: 'A' }])), undefined);
    assert.equal(answerQuery(ad, q([{ name: SERVICE_TYPE, type: 'TXT' }])), undefined);
    const v4only = { ...ad, addresses: { ...ad.addresses, ipv6: [] } };
    assert.equal(answerQuery(v4only, q([{ name: ad.host, type: 'AAAA' }])), undefined);
  });
});
