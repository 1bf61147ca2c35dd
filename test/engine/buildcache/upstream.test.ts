// The upstream tier with real servers: a real redis-server (RESP written by us, checked with
// redis-cli) and a second MemCloud endpoint as an HTTP upstream. LAN misses are fetched from the
// upstream and kept in LAN RAM; writes go through in the background; an upstream that is down or
// hangs turns into misses, never into a failed or stalled build.

import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { startEngine, type TestEngine, internals } from '../../support/engines';
import { eventually } from '../../support/eventually';
import { httpRequest, type HttpOptions } from '../../support/http-client';
import { startRedis } from '../../support/redis-server';

const open: TestEngine[] = [];
after(async () => {
  await Promise.all(open.map((e) => e.close()));
});

interface Cache {
  readonly engine: TestEngine;
  readonly port: number;
  readonly token: string;
  call(method: string, path: string, opts?: HttpOptions): ReturnType<typeof httpRequest>;
}

async function cacheNode(name: string, upstream?: string): Promise<Cache> {
  // A generous read deadline for LAN reads; the upstream keeps its default.
  const engine = await startEngine(name, { buildCache: { enabled: false, deadlineMs: 10_000 } });
  open.push(engine);
  const status = await engine.engine.api.cacheStart(upstream ? { upstream } : {});
  const token = (await engine.engine.api.cacheEnv()).vars.find((v) => v.name === 'TURBO_TOKEN')!.value;
  const port = status.port!;
  return { engine, port, token, call: (method, path, opts = {}) => httpRequest(port, method, path, { token, ...opts }) };
}

const ARTIFACT_HEADERS = { 'x-artifact-duration': '321', 'x-artifact-tag': 'c2lnbmVk' };

describe('upstream tier: Redis', () => {
  test('writes go through to redis; a node with an empty LAN gets them from there and keeps them', async () => {
    const redis = await startRedis();
    try {
      const a = await cacheNode('redis-writer', redis.url);
      assert.equal((await a.engine.engine.api.cacheStatus()).upstream, `redis://:***@127.0.0.1:${redis.port}`, 'the password is never shown');
      const body = randomBytes(300_000);
      assert.equal((await a.call('PUT', '/v8/artifacts/abcdef0123456789?slug=t', { body, headers: ARTIFACT_HEADERS })).status, 202);
      await internals(a.engine.engine).buildCache.upstreamIdle();
      assert.equal((await a.engine.engine.api.cacheStatus()).upstreamStats.written, 1);
      assert.equal(redis.cli('STRLEN', 'memcloud:bc:turbo/t/abcdef0123456789').trim(), String(body.length + 6 + JSON.stringify({ h: { 'x-artifact-duration': '321', 'x-artifact-tag': 'c2lnbmVk' } }).length));

      const b = await cacheNode('redis-reader', redis.url);
      const got = await b.call('GET', '/v8/artifacts/abcdef0123456789?slug=t');
      assert.equal(got.status, 200);
      assert.deepEqual(got.body, body);
      assert.equal(got.headers['x-artifact-tag'], 'c2lnbmVk');
      assert.equal(got.headers['x-artifact-duration'], '321');
      const s = await b.engine.engine.api.cacheStatus();
      assert.equal(s.upstreamStats.hits, 1);
      // Kept in LAN RAM: with redis gone, it is still a hit.
      await redis.stop();
      await eventually('the entry is kept in LAN RAM', async () => (await b.engine.engine.api.cacheStatus()).entries === 1);
      const again = await b.call('GET', '/v8/artifacts/abcdef0123456789?slug=t');
      assert.equal(again.status, 200);
      assert.deepEqual(again.body, body);
      assert.equal(again.headers['x-artifact-tag'], 'c2lnbmVk');
      // Redis down: a miss is a 404, a write is stored in the LAN and its write-through counted as an error.
      assert.equal((await b.call('GET', '/ccache/not/there')).status, 404);
      assert.equal((await b.call('PUT', '/ccache/while/down', { body: randomBytes(100) })).status, 200);
      await internals(b.engine.engine).buildCache.upstreamIdle();
      const down = await b.engine.engine.api.cacheStatus();
      assert.ok(down.upstreamStats.errors >= 2, JSON.stringify(down.upstreamStats));
      assert.deepEqual(down.protocols.ccache.rejected, 0);
    } finally {
      await redis.stop();
    }
  });

  test('a value in redis that is not a MemCloud entry is a miss, not an error response', async () => {
    const redis = await startRedis();
    try {
      redis.cli('SET', 'memcloud:bc:nx/77', 'garbage');
      const c = await cacheNode('redis-garbage', redis.url);
      assert.equal((await c.call('GET', '/v1/cache/77')).status, 404);
      assert.equal((await c.engine.engine.api.cacheStatus()).upstreamStats.errors, 1);
    } finally {
      await redis.stop();
    }
  });
});

describe('upstream tier: another MemCloud endpoint over HTTP', () => {
  test('writes go through with their headers; a LAN miss is served from it and kept; it being down is a miss', async () => {
    const company = await cacheNode('company');
    const upstream = `http://memcloud:${company.token}@127.0.0.1:${company.port}`;
    const a = await cacheNode('http-writer', upstream);
    assert.equal((await a.engine.engine.api.cacheStatus()).upstream, `http://memcloud:***@127.0.0.1:${company.port}`);
    const body = randomBytes(2 * 1024 * 1024 + 17);
    assert.equal((await a.call('PUT', '/v8/artifacts/0011223344556677?slug=t', { body, headers: ARTIFACT_HEADERS })).status, 202);
    assert.equal((await a.call('PUT', '/v1/cache/31337', { body: Buffer.from('nx entry') })).status, 200);
    await internals(a.engine.engine).buildCache.upstreamIdle();
    const direct = await company.call('GET', '/v8/artifacts/0011223344556677?slug=t');
    assert.deepEqual(direct.body, body, 'the upstream got the artifact');
    assert.equal(direct.headers['x-artifact-tag'], 'c2lnbmVk', 'and its headers');
    assert.equal((await company.call('GET', '/v1/cache/31337')).body.toString(), 'nx entry');

    const b = await cacheNode('http-reader', upstream);
    const got = await b.call('GET', '/v8/artifacts/0011223344556677?slug=t');
    assert.equal(got.status, 200);
    assert.deepEqual(got.body, body);
    assert.equal(got.headers['x-artifact-duration'], '321');
    await eventually('the entry is kept in LAN RAM', async () => (await b.engine.engine.api.cacheStatus()).entries === 1);
    await company.engine.close();
    open.splice(open.indexOf(company.engine), 1);
    const kept = await b.call('GET', '/v8/artifacts/0011223344556677?slug=t');
    assert.deepEqual(kept.body, body, 'kept in LAN RAM');
    assert.equal((await b.call('GET', '/v1/cache/999')).status, 404, 'upstream down: a miss');
    assert.equal((await b.call('PUT', '/v1/cache/999', { body: Buffer.from('x') })).status, 200, 'upstream down: writes still land in the LAN');
  });

  test('an upstream that accepts connections and never answers: a 404 at the upstream deadline', async () => {
    const sockets: Socket[] = [];
    const silent: Server = createServer((s) => sockets.push(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const c = await cacheNode('hung-upstream', `http://127.0.0.1:${(silent.address() as AddressInfo).port}`);
      assert.equal((await c.call('GET', '/v1/cache/5')).status, 404);
      assert.equal((await c.engine.engine.api.cacheStatus()).upstreamStats.errors, 1);
      assert.ok(c.engine.logs.some((l) => /upstream lookup of nx\/5 failed: .* did not answer within the deadline/.test(l)), 'it gave up at the deadline');
    } finally {
      for (const s of sockets) s.destroy();
      silent.close();
    }
  });
});
