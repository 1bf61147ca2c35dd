// The build-cache endpoint of a real engine whose entries go to a real peer (both in this process,
// over TCP on 127.0.0.1): authentication, every protocol's routes, keys, limits and refusals.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { networkInterfaces } from 'node:os';
import { request } from 'node:http';
import type { BuildCacheEnv } from '../../../engine/api/build-cache-types';
import { connect, startEngine, trustEachOther, type TestEngine, internals } from '../../support/engines';
import { eventually } from '../../support/eventually';
import { httpRequest, type HttpOptions } from '../../support/http-client';
import { actionResult } from './protobuf';

let owner: TestEngine;
let lender: TestEngine;
let env: BuildCacheEnv;
let port = 0;
let token = '';

before(async () => {
  // A generous read deadline: this test is about what is stored and served, not about a loaded
  // machine's timing (deadline.test.ts covers the deadline with a frozen peer).
  owner = await startEngine('owner', { buildCache: { maxEntrySize: '8mb', deadlineMs: 10_000 } });
  lender = await startEngine('lender');
  await trustEachOther(owner, lender);
  await connect(owner, lender);
  const status = await owner.engine.api.cacheStart({});
  port = status.port!;
  env = await owner.engine.api.cacheEnv();
  token = env.vars.find((v) => v.name === 'TURBO_TOKEN')!.value;
});
after(async () => {
  await owner?.close();
  await lender?.close();
});

const call = (method: string, path: string, opts: HttpOptions = {}) => httpRequest(port, method, path, { token, ...opts });
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const lenderHolds = () => internals(lender.engine).holder.stat(owner.engine.identity.publicKeyText).usedBytes;

async function* slowly(data: Buffer, piece: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < data.length; i += piece) {
    yield data.subarray(i, i + piece);
    await new Promise((r) => setImmediate(r));
  }
}

describe('build-cache endpoint: access', () => {
  test('it listens on 127.0.0.1 only, at the URL that `cache env` gives', async () => {
    assert.equal(env.url, `http://127.0.0.1:${port}`);
    const others = Object.values(networkInterfaces())
      .flat()
      .filter((i) => i && i.family === 'IPv4' && i.address !== '127.0.0.1')
      .map((i) => i!.address);
    for (const address of others) {
      await assert.rejects(
        new Promise((resolve, reject) => request({ host: address, port, path: '/v8/artifacts/status', timeout: 2000 }, resolve).on('error', reject).end()),
        `not reachable on ${address}`,
      );
    }
  });

  test('no token or a wrong one: 401 on every route, nothing stored; Bearer and Basic (token as password) are accepted', async () => {
    const body = randomBytes(100);
    for (const path of ['/v8/artifacts/0123456789abcdef', '/v1/cache/42', '/ccache/ab/cdef', `/ac/${'a'.repeat(64)}`, `/cache/${'b'.repeat(32)}`]) {
      const none = await httpRequest(port, 'PUT', path, { body });
      assert.equal(none.status, 401, path);
      assert.match(String(none.headers['www-authenticate']), /Bearer/);
      const wrong = await httpRequest(port, 'GET', path, { token: `${token.slice(0, -1)}x` });
      assert.equal(wrong.status, 401, path);
      const basicWrong = await httpRequest(port, 'GET', path, { headers: { authorization: `Basic ${Buffer.from('memcloud:nope').toString('base64')}` } });
      assert.equal(basicWrong.status, 401, path);
    }
    const status = await owner.engine.api.cacheStatus();
    assert.equal(status.entries, 0);
    const basic = await httpRequest(port, 'PUT', `/cache/${'c'.repeat(32)}`, { body, headers: { authorization: `Basic ${Buffer.from(`anyone:${token}`).toString('base64')}` } });
    assert.equal(basic.status, 200);
    assert.deepEqual((await call('GET', `/cache/${'c'.repeat(32)}`)).body, body);
  });
});

describe('build-cache endpoint: Turborepo', () => {
  test('PUT then GET returns the body and the x-artifact-* headers exactly; HEAD has the headers only', async () => {
    const body = randomBytes(200_000);
    const headers = { 'x-artifact-duration': '1234', 'x-artifact-tag': 'dGFnIHZhbHVlPT0=', 'x-artifact-sha': 'abc123', 'content-type': 'application/octet-stream' };
    const put = await call('PUT', '/v8/artifacts/00aa11bb22cc33dd?slug=team', { body, headers });
    assert.equal(put.status, 202);
    assert.deepEqual(JSON.parse(put.body.toString()), { urls: ['00aa11bb22cc33dd'] });
    const get = await call('GET', '/v8/artifacts/00aa11bb22cc33dd?slug=team');
    assert.equal(get.status, 200);
    assert.deepEqual(get.body, body);
    for (const [k, v] of Object.entries(headers)) assert.equal(get.headers[k], v, k);
    assert.equal(get.headers['content-length'], String(body.length));
    const head = await call('HEAD', '/v8/artifacts/00aa11bb22cc33dd?slug=team');
    assert.equal(head.status, 200);
    assert.equal(head.headers['x-artifact-tag'], headers['x-artifact-tag']);
    assert.equal(head.body.length, 0);
    // Teams are separate namespaces; an overwrite replaces the entry.
    assert.equal((await call('GET', '/v8/artifacts/00aa11bb22cc33dd?slug=other')).status, 404);
    assert.equal((await call('PUT', '/v8/artifacts/00aa11bb22cc33dd?slug=team', { body: Buffer.from('v2') })).status, 202);
    const again = await call('GET', '/v8/artifacts/00aa11bb22cc33dd?slug=team');
    assert.equal(again.body.toString(), 'v2');
    assert.equal(again.headers['x-artifact-tag'], undefined, 'the headers are those of the newest PUT');
  });

  test('status, the batch query, events as telemetry; a miss and bad keys have JSON error bodies', async () => {
    const status = await call('GET', '/v8/artifacts/status?slug=team');
    assert.deepEqual(JSON.parse(status.body.toString()), { status: 'enabled' });
    await call('PUT', '/v8/artifacts/1111222233334444?slug=q', { body: Buffer.alloc(10), headers: { 'x-artifact-duration': '77', 'x-artifact-tag': 't' } });
    const query = await call('POST', '/v8/artifacts?slug=q', { body: Buffer.from(JSON.stringify({ hashes: ['1111222233334444', 'ffffeeeeddddcccc'] })), headers: { 'content-type': 'application/json' } });
    assert.equal(query.status, 200);
    assert.deepEqual(JSON.parse(query.body.toString()), { '1111222233334444': { size: 10, taskDurationMs: 77, tag: 't' }, ffffeeeeddddcccc: null });
    const before = (await owner.engine.api.cacheStatus()).turboEvents;
    const events = [
      { sessionId: 's', source: 'REMOTE', event: 'HIT', hash: '1111222233334444', duration: 5 },
      { sessionId: 's', source: 'LOCAL', event: 'MISS', hash: 'ffffeeeeddddcccc' },
    ];
    assert.equal((await call('POST', '/v8/artifacts/events?slug=q', { body: Buffer.from(JSON.stringify(events)) })).status, 200);
    const after = (await owner.engine.api.cacheStatus()).turboEvents;
    assert.equal(after.remoteHits, before.remoteHits + 1);
    assert.equal(after.localMisses, before.localMisses + 1);
    // Bodies are checked by their schemas (turbo-extras.ts): a bad one is a 400 that says what is wrong.
    for (const [path, body, words] of [
      ['/v8/artifacts?slug=q', { hashes: ['not-a-hash'] }, /"hashes" must be a list of at most 1000 artifact hashes/],
      ['/v8/artifacts?slug=q', { hashes: new Array(1001).fill('1111222233334444') }, /"hashes" must be a list/],
      ['/v8/artifacts?slug=q', null, /"hashes" must be a list/],
      ['/v8/artifacts/events?slug=q', { source: 'LOCAL' }, /events are a JSON list/],
    ] as const) {
      const r = await call('POST', path, { body: Buffer.from(JSON.stringify(body)) });
      assert.equal(r.status, 400, JSON.stringify(body));
      const error = (JSON.parse(r.body.toString()) as { error: { code: string; message: string } }).error;
      assert.equal(error.code, 'bad_request');
      assert.match(error.message, words);
    }
    const notJson = await call('POST', '/v8/artifacts/events?slug=q', { body: Buffer.from('[{') });
    assert.equal(notJson.status, 400);
    assert.match(notJson.body.toString(), /the body is not JSON/);
    const miss = await call('GET', '/v8/artifacts/ffffeeeeddddcccc?slug=q');
    assert.equal(miss.status, 404);
    assert.equal(JSON.parse(miss.body.toString()).error.code, 'not_found');
    for (const bad of ['/v8/artifacts/xyz', '/v8/artifacts/12%2F34', `/v8/artifacts/${'a'.repeat(129)}`, '/v8/artifacts/aaaaaaaaaaaaaaaa?slug=a%20b']) {
      const r = await call('GET', bad);
      assert.equal(r.status, 400, bad);
      assert.equal(JSON.parse(r.body.toString()).error.code, 'bad_request');
    }
    assert.equal((await call('POST', '/v8/artifacts?slug=q', { body: Buffer.from('not json') })).status, 400);
    assert.equal((await call('DELETE', '/v8/artifacts/1111222233334444?slug=q')).status, 405);
  });
});

describe('build-cache endpoint: Nx', () => {
  test('a miss is 404, PUT stores once and then conflicts (409); bad keys and refusals are never a status Nx fails on', async () => {
    assert.equal((await call('GET', '/v1/cache/12345678901234567890')).status, 404);
    const body = randomBytes(5000);
    assert.equal((await call('PUT', '/v1/cache/12345678901234567890', { body })).status, 200);
    assert.deepEqual((await call('GET', '/v1/cache/12345678901234567890')).body, body);
    assert.equal((await call('PUT', '/v1/cache/12345678901234567890', { body: randomBytes(10) })).status, 409);
    assert.deepEqual((await call('GET', '/v1/cache/12345678901234567890')).body, body, 'not overwritten');
    // 2^64 and non-decimal keys: 404 on reads, 403 on writes (never 400, 413 or 5xx).
    for (const key of ['18446744073709551616', 'abc', '12345678901234567890123', '-1']) {
      assert.equal((await call('GET', `/v1/cache/${key}`)).status, 404, key);
      assert.equal((await call('PUT', `/v1/cache/${key}`, { body })).status, 403, key);
    }
    const tooLarge = await call('PUT', '/v1/cache/7', { body: Buffer.alloc(9 * 1024 * 1024) });
    assert.equal(tooLarge.status, 403, 'the size cap is a 403 for Nx');
    assert.equal((await call('GET', '/v1/cache/7')).status, 404);
  });
});

describe('build-cache endpoint: ccache', () => {
  test('subdirs, flat and bazel layouts; DELETE; bad keys are 400', async () => {
    const paths = ['/ccache/7a/4d8f0e1c2b3a49586776a5b4c3d2e1f0a1b2c3R', '/ccache/4d8f0e1c2b3a49586776a5b4c3d2e1f0a1b2c3M', `/ccache/ac/${'d'.repeat(64)}`];
    for (const p of paths) {
      const body = randomBytes(3000);
      assert.equal((await call('PUT', p, { body })).status, 200, p);
      assert.deepEqual((await call('GET', p)).body, body, p);
    }
    assert.equal((await call('DELETE', paths[0]!)).status, 200);
    assert.equal((await call('GET', paths[0]!)).status, 404);
    assert.equal((await call('DELETE', paths[0]!)).status, 404);
    for (const bad of ['/ccache/', '/ccache/a/../b', '/ccache/a%2fb', '/ccache/a/b/c/d/e', `/ccache/${'x'.repeat(201)}`, '/ccache/.hidden']) {
      assert.equal((await call('GET', bad)).status, 400, bad);
    }
  });
});

describe('build-cache endpoint: Bazel', () => {
  test('CAS bodies must match their digest; an action result is served only while its outputs are stored; instance prefixes', async () => {
    const blob = randomBytes(70_000);
    const digest = sha(blob);
    assert.equal((await call('PUT', `/cas/${sha(Buffer.from('other'))}`, { body: blob })).status, 400, 'a CAS body must hash to its key');
    assert.equal((await call('PUT', `/cas/${digest}`, { body: blob })).status, 200);
    const ac = actionResult([{ hash: digest, size: blob.length }]);
    const acKey = sha(Buffer.from('action 1'));
    assert.equal((await call('PUT', `/ac/${acKey}`, { body: ac })).status, 200);
    assert.deepEqual((await call('GET', `/ac/${acKey}`)).body, ac);
    // Another instance sees neither; a result pointing at a blob that is not stored is a miss.
    assert.equal((await call('GET', `/ci/main/ac/${acKey}`)).status, 404);
    assert.equal((await call('PUT', `/ci/main/ac/${acKey}`, { body: ac })).status, 200);
    assert.equal((await call('GET', `/ci/main/ac/${acKey}`)).status, 404, 'its CAS blob is not stored under this instance');
    assert.equal((await call('PUT', `/ci/main/cas/${digest}`, { body: blob })).status, 200);
    assert.deepEqual((await call('GET', `/ci/main/ac/${acKey}`)).body, ac);
    // The blob goes (as when a lender evicts it): the action result stops being a hit at once.
    const blobStream = [...internals(owner.engine).catalog.streams.values()].find((s) => s.name === `buildcache:bazel/ci/main/cas/${digest}`)!;
    await owner.engine.api.free(blobStream.id);
    assert.equal((await call('GET', `/ci/main/ac/${acKey}`)).status, 404);
    assert.deepEqual((await call('GET', `/ac/${acKey}`)).body, ac, 'the other instance still has its blob');
    for (const bad of [`/ac/${'A'.repeat(64)}`, `/cas/${'a'.repeat(63)}`, `/ac/${'a'.repeat(64)}/x`, `/../ac/${'a'.repeat(64)}`]) {
      const r = await call('GET', bad);
      assert.ok(r.status === 400 || r.status === 404, `${bad}: ${r.status}`);
    }
  });
});

describe('build-cache endpoint: Gradle', () => {
  test('GET/PUT /cache/<key>; bad keys are 400', async () => {
    const key = 'f'.repeat(32);
    const body = randomBytes(12_345);
    assert.equal((await call('GET', `/cache/${key}`)).status, 404);
    assert.equal((await call('PUT', `/cache/${key}`, { body, headers: { 'content-type': 'application/vnd.gradle.build-cache-artifact.v1' } })).status, 200);
    const get = await call('GET', `/cache/${key}`);
    assert.deepEqual(get.body, body);
    assert.equal(get.headers['content-type'], 'application/vnd.gradle.build-cache-artifact.v1');
    assert.equal((await call('GET', '/cache/xyz')).status, 400);
  });
});

describe('build-cache endpoint: bodies and limits', () => {
  test('an entry larger than a block streams through the pool and back unchanged; it lives on the lender as cache data', async () => {
    const before = lenderHolds();
    const body = randomBytes(7 * 1024 * 1024 + 123);
    assert.equal((await call('PUT', '/ccache/big/entry', { body: slowly(body, 64 * 1024), headers: { 'content-length': String(body.length) } })).status, 200);
    assert.ok(lenderHolds() - before >= body.length, 'the entry is on the lender');
    const get = await call('GET', '/ccache/big/entry');
    assert.equal(get.status, 200);
    assert.equal(sha(get.body), sha(body));
    const stream = internals(owner.engine).catalog.streams;
    const entry = [...stream.values()].find((s) => s.name === 'buildcache:ccache/big/entry')!;
    assert.equal(entry.durability, 'cache');
    assert.equal(entry.chunks.length, 8);
  });

  test('oversized bodies are refused by Content-Length and mid-stream, per protocol, and leave nothing behind', async () => {
    const big = Buffer.alloc(8 * 1024 * 1024 + 1);
    const before = lenderHolds();
    assert.equal((await call('PUT', '/v8/artifacts/abababababababab', { body: big })).status, 413);
    assert.equal((await call('PUT', '/ccache/over/size', { body: big })).status, 413);
    assert.equal((await call('PUT', `/cache/${'9'.repeat(32)}`, { body: big })).status, 413);
    assert.equal((await call('PUT', `/cas/${sha(big)}`, { body: big })).status, 413);
    assert.equal((await call('PUT', '/v1/cache/99', { body: big })).status, 403);
    // Chunked (no Content-Length): refused once the cap is passed.
    const chunked = await call('PUT', '/ccache/over/chunked', { body: slowly(big, 256 * 1024) });
    assert.equal(chunked.status, 413);
    assert.equal((await call('GET', '/ccache/over/chunked')).status, 404);
    await eventually('nothing of the refused entries is stored', () => lenderHolds() === before);
  });

  test('a client that breaks off mid-upload leaves no entry and nothing stored', async () => {
    const before = lenderHolds();
    const entries = (await owner.engine.api.cacheStatus()).entries;
    await new Promise<void>((resolve) => {
      const req = request({ host: '127.0.0.1', port, method: 'PUT', path: '/ccache/broken/off', headers: { authorization: `Bearer ${token}`, 'content-length': 5 * 1024 * 1024 } });
      req.on('error', () => resolve());
      req.write(randomBytes(3 * 1024 * 1024), () => setTimeout(() => req.destroy(), 100));
    });
    assert.equal((await call('GET', '/ccache/broken/off')).status, 404);
    // No entry was added (an earlier test's refused entry may still be leaving the count meanwhile).
    assert.ok((await owner.engine.api.cacheStatus()).entries <= entries, 'the broken upload added no entry');
    await eventually('the chunks already sent are freed on the lender', () => lenderHolds() === before);
  });

  test('many requests at once are all answered', async () => {
    const bodies = Array.from({ length: 60 }, (_, i) => randomBytes(1000 + i));
    const puts = await Promise.all(bodies.map((b, i) => call('PUT', `/ccache/many/${i}`, { body: b })));
    assert.ok(puts.every((r) => r.status === 200));
    const gets = await Promise.all(bodies.map((_, i) => call('GET', `/ccache/many/${i}`)));
    gets.forEach((r, i) => assert.deepEqual(r.body, bodies[i]));
  });

  test('stats count hits, misses, bytes and entries per protocol; the Offloaded Data listing shows the cache as one item', async () => {
    const s = await owner.engine.api.cacheStatus();
    assert.ok(s.protocols.turbo.hits >= 3 && s.protocols.turbo.misses >= 1);
    assert.ok(s.protocols.ccache.bytesIn >= 7 * 1024 * 1024);
    assert.ok(s.protocols.nx.puts >= 1 && s.protocols.nx.rejected >= 1);
    const items = await owner.engine.api.listData();
    const cache = items.filter((i) => i.kind === 'cache');
    assert.equal(cache.length, 1);
    assert.equal(cache[0]!.entries, s.entries);
    assert.ok(items.every((i) => !i.name.startsWith('buildcache:')));
    assert.ok(cache[0]!.replicas.some((r) => r.holderName === 'lender'));
  });
});
