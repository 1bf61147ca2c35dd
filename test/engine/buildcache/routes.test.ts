// Each protocol's routes: which paths are its own, what they ask for, and the status codes that
// tell its clients no (Nx: never one that fails the build).

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ccacheRoute } from '../../../engine/buildcache/routes/ccache';
import { createBazelRoute } from '../../../engine/buildcache/routes/bazel';
import { gradleRoute } from '../../../engine/buildcache/routes/gradle';
import { nxRoute } from '../../../engine/buildcache/routes/nx';
import type { CacheRequest, Refusal, Route, RouteAction } from '../../../engine/buildcache/routes/route';
import { turboRoute } from '../../../engine/buildcache/routes/turbo';

const bazelRoute = createBazelRoute({ has: () => true, hasUpstream: () => false });
const ROUTES: readonly Route[] = [ccacheRoute, turboRoute, nxRoute, gradleRoute, bazelRoute];

function req(method: string, target: string, headers: Record<string, string> = {}): CacheRequest {
  const q = target.indexOf('?');
  return { method, path: q < 0 ? target : target.slice(0, q), query: new URLSearchParams(q < 0 ? '' : target.slice(q + 1)), headers, target };
}

function route(method: string, target: string, headers?: Record<string, string>): { protocol: string; action: RouteAction } | undefined {
  for (const r of ROUTES) {
    const action = r.match(req(method, target, headers));
    if (action) return { protocol: r.protocol, action };
  }
  return undefined;
}

const key = (method: string, target: string) => {
  const a = route(method, target)?.action;
  return a && 'key' in a ? a.key : a?.kind;
};

describe('build-cache routes', () => {
  test('each path goes to its protocol with the right key', () => {
    const sha = 'a'.repeat(64);
    assert.equal(key('GET', '/v8/artifacts/0123456789abcdef?slug=team'), 'turbo/team/0123456789abcdef');
    assert.equal(key('GET', '/v8/artifacts/0123456789abcdef?teamId=t1&slug=s'), 'turbo/t1/0123456789abcdef');
    assert.equal(key('PUT', '/v8/artifacts/0123456789abcdef'), 'turbo/_/0123456789abcdef');
    assert.equal(key('GET', '/v1/cache/18446744073709551615'), 'nx/18446744073709551615');
    assert.equal(key('GET', '/ccache/7a/4d8f'), 'ccache/7a/4d8f');
    assert.equal(key('GET', `/ccache/ac/${sha}`), `ccache/ac/${sha}`, "ccache's bazel layout stays ccache's");
    assert.equal(key('GET', `/cache/${'0'.repeat(32)}`), `gradle/${'0'.repeat(32)}`);
    assert.equal(key('GET', `/ac/${sha}`), `bazel/_/ac/${sha}`);
    assert.equal(key('GET', `/cas/${sha}`), `bazel/_/cas/${sha}`);
    assert.equal(key('GET', `/cache/ac/${sha}`), `bazel/cache/ac/${sha}`, 'a Bazel instance named "cache"');
    assert.equal(key('GET', `/a/b/c/d/cas/${sha}`), `bazel/a/b/c/d/cas/${sha}`);
    assert.equal(route('GET', '/'), undefined);
    assert.equal(route('GET', '/v2/user'), undefined);
    assert.equal(route('GET', `/a/b/c/d/e/cas/${sha}`), undefined);
  });

  test('turbo: the x-artifact-* headers of a PUT are kept, control characters refused; custom routes', () => {
    const put = route('PUT', '/v8/artifacts/0123456789abcdef', { 'x-artifact-tag': 'abc', 'x-artifact-duration': '5', 'x-other': 'no', 'x-artifact-evil': 'a\r\nb' })!.action;
    assert.deepEqual(put.kind === 'put' && put.keep, { 'x-artifact-tag': 'abc', 'x-artifact-duration': '5' });
    assert.equal(key('GET', '/v8/artifacts/status'), 'custom');
    assert.equal(key('POST', '/v8/artifacts'), 'custom');
    assert.equal(key('POST', '/v8/artifacts/events'), 'custom');
    assert.equal(key('OPTIONS', '/v8/artifacts/0123456789abcdef'), 'custom');
  });

  test('bazel: CAS writes carry their digest for checking; action results carry a check', () => {
    const sha = 'b'.repeat(64);
    const cas = route('PUT', `/cas/${sha}`)!.action;
    assert.equal(cas.kind === 'put' && cas.sha256, sha);
    const ac = route('GET', `/ac/${sha}`)!.action;
    assert.equal(ac.kind === 'get' && typeof ac.check, 'function');
  });

  test('bad keys are refused by every protocol', () => {
    const bad = ['/v8/artifacts/xyz', '/v8/artifacts/abc?slug=a%20b', '/v1/cache/18446744073709551616', '/v1/cache/1a', '/ccache/a/../b', '/ccache/.x', '/ccache/a%2Fb', `/cache/${'g'.repeat(32)}`, `/ac/${'A'.repeat(64)}`, `/x/../ac/${'a'.repeat(64)}`];
    for (const target of bad) {
      for (const method of ['GET', 'PUT']) assert.equal(route(method, target)?.action.kind, 'refuse', `${method} ${target}`);
    }
  });

  test('status codes: Nx never gets 5xx, 400 or 413, and reads are only ever 200 or 404 for it', () => {
    const refusals: Refusal[] = ['bad-key', 'too-large', 'store-failed', 'conflict', 'bad-request'];
    for (const r of refusals) {
      assert.equal(nxRoute.status(r, 'GET'), 404, r);
      assert.ok([403, 409].includes(nxRoute.status(r, 'PUT')), r);
    }
    assert.equal(nxRoute.status('conflict', 'PUT'), 409);
    for (const r of [turboRoute, ccacheRoute, gradleRoute, bazelRoute]) {
      assert.equal(r.status('too-large', 'PUT'), 413);
      assert.equal(r.status('unauthorized', 'GET'), 401);
      assert.equal(r.status('bad-key', 'GET'), 400);
    }
    assert.deepEqual(JSON.parse(turboRoute.errorBody(404, 'gone').text), { error: { code: 'not_found', message: 'gone' } });
  });
});
