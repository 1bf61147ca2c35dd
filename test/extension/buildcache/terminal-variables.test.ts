import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { BuildCacheEnv } from '../../../engine/api/build-cache-types';
import { aBuildCache } from '../../support/data-model';
import { TerminalVariables, type VariableCollection } from '../../../extension/buildcache/terminal-variables';

class FakeCollection implements VariableCollection {
  persistent = true;
  description: unknown = undefined;
  readonly vars = new Map<string, string>();
  /** persistent at the moment of each replace() */
  readonly persistentAtReplace: boolean[] = [];
  replace(name: string, value: string): void {
    this.persistentAtReplace.push(this.persistent);
    this.vars.set(name, value);
  }
  clear(): void {
    this.vars.clear();
  }
}

const env = (url: string): BuildCacheEnv => ({
  url,
  vars: [
    { name: 'TURBO_API', value: url },
    { name: 'NX_SELF_HOSTED_REMOTE_CACHE_SERVER', value: url },
  ],
  bazelFlags: [],
  gradleInitScript: '/h/memcloud-init.gradle',
});
const running = (url: string) => aBuildCache({ url });
const stopped = aBuildCache({ running: false, url: null, port: null });

describe('terminal variables', () => {
  test('while the endpoint listens: its variables, never persisted, with a description; none once it stops', async () => {
    const c = new FakeCollection();
    c.vars.set('NX_SELF_HOSTED_REMOTE_CACHE_SERVER', 'http://stale'); // as if VS Code restored an old copy
    const t = new TerminalVariables(c);
    assert.equal(c.persistent, false);
    assert.equal(c.vars.size, 0, 'a restored copy is dropped at once');
    let calls = 0;
    let url = 'http://127.0.0.1:7798';
    const client = { cacheEnv: async () => (calls++, env(url)) };
    await t.update(client, running('http://127.0.0.1:7798'));
    assert.equal(c.vars.get('TURBO_API'), 'http://127.0.0.1:7798');
    assert.ok(c.persistentAtReplace.every((p) => p === false), 'persistent is false before any replace()');
    assert.match(String(c.description), /MemCloud.*http:\/\/127\.0\.0\.1:7798/);
    await t.update(client, running('http://127.0.0.1:7798'));
    assert.equal(calls, 1, 'unchanged: not read again');
    await t.update(client, stopped);
    assert.equal(c.vars.size, 0);
    assert.equal(t.url, null);
    url = 'http://127.0.0.1:7799';
    await t.update(client, running(url));
    assert.equal(c.vars.get('NX_SELF_HOSTED_REMOTE_CACHE_SERVER'), 'http://127.0.0.1:7799');
    await t.update(undefined, running('http://127.0.0.1:7799'));
    assert.equal(c.vars.size, 0, 'no node attached: nothing');
  });

  test('the node going away while the variables are being read leaves none; a failing read leaves none', async () => {
    const c = new FakeCollection();
    const t = new TerminalVariables(c);
    let answer: (e: BuildCacheEnv) => void = () => {};
    const slow = { cacheEnv: () => new Promise<BuildCacheEnv>((r) => (answer = r)) };
    const pending = t.update(slow, running('http://127.0.0.1:1'));
    await new Promise((r) => setImmediate(r));
    t.clear();
    answer(env('http://127.0.0.1:1'));
    await pending;
    assert.equal(c.vars.size, 0);
    await t.update({ cacheEnv: async () => Promise.reject(new Error('CACHE_STOPPED')) }, running('http://127.0.0.1:2'));
    assert.equal(c.vars.size, 0);
  });
});
