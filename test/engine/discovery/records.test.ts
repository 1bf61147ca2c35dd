import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { SERVICE_TYPE } from '../../../engine/discovery/constants';
import { instanceOf, parseQuery, parseResponse, type DiscoveryRecord } from '../../../engine/discovery/records';
import { advertisementPacket, fakeIdentity } from './helpers';

const FQDN = (label: string) => `${label}.${SERVICE_TYPE}`;
const response = (...answers: unknown[]) => ({ type: 'response', questions: [], answers, authorities: [], additionals: [] });
const kinds = (rs: DiscoveryRecord[]) => rs.map((r) => r.kind);

describe('mDNS record validation (untrusted input)', () => {
  const id = fakeIdentity();

  test('a complete advertisement yields PTR, SRV, TXT and addresses', () => {
    const rs = parseResponse(advertisementPacket({ instance: 'Laptop [abc]', id, host: 'MC-1.local', port: 7443, addresses: ['10.0.0.5', 'FD00::5'] }));
    assert.deepEqual(kinds(rs), ['ptr', 'srv', 'txt', 'address', 'address']);
    assert.deepEqual(rs[0], { kind: 'ptr', instance: 'Laptop [abc]', ttl: 120 });
    assert.deepEqual(rs[1], { kind: 'srv', instance: 'Laptop [abc]', target: 'mc-1.local', port: 7443, ttl: 120 });
    assert.equal(rs[2]!.kind === 'txt' && rs[2]!.fields?.publicKey, id.publicKey);
    assert.deepEqual(rs[4], { kind: 'address', host: 'mc-1.local', address: 'fd00::5', family: 6, ttl: 120, flush: true });
  });

  test('non-packets and queries yield nothing', () => {
    for (const p of [undefined, null, 'x', 42, [], {}, { type: 'query', answers: [] }, { type: 'response', answers: 'x' }]) {
      assert.deepEqual(parseResponse(p), []);
    }
  });

  test('malformed answers are dropped, good ones kept', () => {
    const good = { name: SERVICE_TYPE, type: 'PTR', class: 'IN', ttl: 10, data: FQDN('ok') };
    const rs = parseResponse(
      response(null, 7, 'PTR', {}, { type: 'PTR' }, { ...good, ttl: -1 }, { ...good, ttl: 1.5 }, { ...good, ttl: '10' },
        { ...good, ttl: Number.NaN }, { ...good, class: 'CH' }, { ...good, name: '_other._tcp.local' }, { ...good, data: 42 }, good),
    );
    assert.deepEqual(rs, [{ kind: 'ptr', instance: 'ok', ttl: 10 }]);
  });

  test('huge TTLs are clamped', () => {
    const rs = parseResponse(response({ name: SERVICE_TYPE, type: 'PTR', ttl: 0xffffffff, data: FQDN('x') }));
    assert.equal(rs[0]!.ttl, 4500);
  });

  test('instance names: dots, controls, replacement characters, over-long labels and empty labels are refused', () => {
    assert.equal(instanceOf(FQDN('fine name [12]')), 'fine name [12]');
    assert.equal(instanceOf(`ABC.${SERVICE_TYPE.toUpperCase()}`), 'ABC');
    for (const bad of ['a.b', 'a\u0000b', 'a\u001bb', '\uFFFDx', 'x'.repeat(64), '']) {
      assert.equal(instanceOf(FQDN(bad)), undefined, JSON.stringify(bad));
    }
    for (const bad of [undefined, 42, SERVICE_TYPE, 'x._http._tcp.local', `${'x'.repeat(250)}.${SERVICE_TYPE}`]) {
      assert.equal(instanceOf(bad), undefined);
    }
  });

  test('SRV records with absurd ports or bad targets are refused', () => {
    const srv = (data: unknown) => parseResponse(response({ name: FQDN('i'), type: 'SRV', ttl: 10, data }));
    assert.equal(srv({ port: 7000, target: 'h.local' }).length, 1);
    for (const data of [
      { port: 0, target: 'h.local' },
      { port: 65536, target: 'h.local' },
      { port: -1, target: 'h.local' },
      { port: 7000.5, target: 'h.local' },
      { port: '7000', target: 'h.local' },
      { port: 7000 },
      { port: 7000, target: 'h local' },
      { port: 7000, target: 'h\u0000.local' },
      { port: 7000, target: 'a..local' },
      { port: 7000, target: `${'x'.repeat(64)}.local` },
      { port: 7000, target: 'x.'.repeat(130) + 'local' },
      null,
      'h.local',
    ]) {
      assert.deepEqual(srv(data), [], JSON.stringify(data));
    }
  });

  test('addresses that no peer could listen on are refused', () => {
    const addr = (type: string, data: unknown) => parseResponse(response({ name: 'h.local', type, ttl: 10, data }));
    assert.equal(addr('A', '192.168.1.4').length, 1);
    assert.equal(addr('A', '169.254.3.4').length, 1);
    assert.equal(addr('AAAA', '2001:db8::1').length, 1);
    for (const a of ['127.0.0.1', '127.9.9.9', '0.0.0.0', '224.0.0.251', '239.1.1.1', '255.255.255.255', '10.0.0.256', 'localhost', '', 42, null]) {
      assert.deepEqual(addr('A', a), [], String(a));
    }
    for (const a of ['::1', '::', 'fe80::1', 'FE80::1', 'febf::1', 'ff02::fb', '::ffff:10.0.0.1', '::ffff:127.0.0.1', '10.0.0.1', 'x']) {
      assert.deepEqual(addr('AAAA', a), [], a);
    }
    assert.deepEqual(addr('A', '::1'), []);
  });

  test('an invalid TXT record is kept as a record with no fields (only a goodbye is acted on)', () => {
    const rs = parseResponse(response({ name: FQDN('i'), type: 'TXT', ttl: 0, data: [Buffer.from('name=\u0000')] }));
    assert.deepEqual(rs, [{ kind: 'txt', instance: 'i', fields: undefined, ttl: 0 }]);
  });

  test('at most 128 records are looked at per packet', () => {
    const many = Array.from({ length: 1000 }, (_, i) => ({ name: SERVICE_TYPE, type: 'PTR', ttl: 10, data: FQDN(`n${i}`) }));
    assert.equal(parseResponse(response(...many)).length, 128);
  });

  test('queries: questions are lower-cased; known PTR answers are collected; junk is skipped', () => {
    const q = parseQuery({
      type: 'query',
      questions: [{ name: '_MemCloud._tcp.local', type: 'PTR' }, null, { name: 5, type: 'A' }, { name: 'x.local' }, { name: 'h.local', type: 'A' }],
      answers: [{ name: SERVICE_TYPE, type: 'PTR', ttl: 100, data: FQDN('Known') }, { name: 'h.local', type: 'A', ttl: 1, data: '10.0.0.1' }],
    });
    assert.deepEqual(q.questions, [{ name: SERVICE_TYPE, type: 'PTR' }, { name: 'h.local', type: 'A' }]);
    assert.deepEqual([...q.knownInstances], [['known', 100]]);
    assert.deepEqual(parseQuery({ type: 'response', questions: [{ name: 'a', type: 'A' }] }).questions, []);
    assert.deepEqual(parseQuery(null).questions, []);
  });
});
