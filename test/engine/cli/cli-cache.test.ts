// memcloud cache start | stop | env | stats | clear against a real background node: idempotent
// start, env that a real sh evaluates byte for byte, the state remembered across node restarts,
// config.json taking precedence, and the errors when there is no node or no endpoint.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fishQuote, powershellQuote, setVariable, shQuote } from '../../../engine/cli/shell-env';
import { CLI } from '../../support/node-process';
import { httpRequest } from '../../support/http-client';

const root = mkdtempSync(join(tmpdir(), 'memcloud-cli-cache-'));
const home = join(root, 'h');

function mc(args: string[], h = home): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [CLI, ...args, '--home', h], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

function startNode(): void {
  const r = mc(['node', 'start', '--name', 'main', '--host', '127.0.0.1', '--port', '0', '--no-discovery']);
  assert.equal(r.code, 0, r.err);
}

before(() => startNode());
after(() => {
  mc(['node', 'stop']);
  rmSync(root, { recursive: true, force: true });
});

/** Runs `script` in a real sh after evaluating `memcloud cache env`. */
function shWithEnv(script: string): string {
  const r = spawnSync('sh', ['-c', `eval "$("${process.execPath}" "${CLI}" cache env --home "${home}")" && ${script}`], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

describe('memcloud cache', () => {
  test('start prints the URL and is idempotent; env sets the variables in a real sh; the endpoint answers with that token', async () => {
    const first = mc(['cache', 'start']);
    assert.equal(first.code, 0, first.err);
    const url = first.out.trim();
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(mc(['cache', 'start']).out.trim(), url, 'a second start changes nothing');
    const vars = shWithEnv('printf "%s\\n" "$TURBO_API" "$TURBO_TEAM" "$NX_SELF_HOSTED_REMOTE_CACHE_SERVER" "$CCACHE_REMOTE_STORAGE" "$TURBO_TOKEN" "$NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN"').split('\n');
    assert.equal(vars[0], url);
    assert.equal(vars[1], 'memcloud');
    assert.equal(vars[2], url);
    assert.equal(vars[3], `${url}/ccache|bearer-token=${vars[4]}|operation-timeout=5000`);
    assert.equal(vars[4], vars[5]);
    assert.equal(vars[4], readFileSync(join(home, 'buildcache_token'), 'utf8').trim());
    assert.equal(statSync(join(home, 'buildcache_token')).mode & 0o777, 0o600);
    const port = Number(new URL(url).port);
    assert.equal((await httpRequest(port, 'GET', '/v8/artifacts/status', { token: vars[4] })).status, 200);
    const text = mc(['cache', 'env']).out;
    assert.match(text, /^# bazel \(\.bazelrc\): build --remote_cache=http:\/\/127\.0\.0\.1:\d+ --remote_header="Authorization=Bearer [A-Za-z0-9_-]{43}"$/m);
    assert.match(text, new RegExp(`^# gradle: gradle --build-cache --init-script ${join(home, 'memcloud-init.gradle')}$`, 'm'));
    assert.match(readFileSync(join(home, 'memcloud-init.gradle'), 'utf8'), /HttpBuildCache/);
    const json = JSON.parse(mc(['cache', 'env', '--shell', 'json']).out);
    assert.equal(json.vars.TURBO_API, url);
    assert.deepEqual(json.bazelFlags, [`--remote_cache=${url}`, `--remote_header=Authorization=Bearer ${vars[4]}`]);
    assert.match(mc(['cache', 'env', '--shell', 'fish']).out, /^set -gx TURBO_API 'http:\/\/127\.0\.0\.1:\d+'$/m);
    assert.match(mc(['cache', 'env', '--shell', 'powershell']).out, /^\$env:TURBO_API = 'http:\/\/127\.0\.0\.1:\d+'$/m);
  });

  test('stats, in text and JSON, count what the endpoint served; clear frees every entry', async () => {
    const token = JSON.parse(mc(['cache', 'env', '--shell', 'json']).out).vars.TURBO_TOKEN as string;
    const port = Number(new URL(mc(['cache', 'start']).out.trim()).port);
    assert.equal((await httpRequest(port, 'PUT', '/ccache/aa/bbbb', { token, body: Buffer.from('object') })).status, 200);
    assert.equal((await httpRequest(port, 'GET', '/ccache/aa/bbbb', { token })).status, 200);
    assert.equal((await httpRequest(port, 'GET', '/ccache/aa/cccc', { token })).status, 404);
    const s = JSON.parse(mc(['cache', 'stats', '--json']).out);
    assert.equal(s.running, true);
    assert.equal(s.entries, 1);
    assert.deepEqual({ hits: s.protocols.ccache.hits, misses: s.protocols.ccache.misses, puts: s.protocols.ccache.puts }, { hits: 1, misses: 1, puts: 1 });
    const text = mc(['cache', 'stats']).out;
    assert.match(text, /entries 1 \(.*\)\s+hit rate 50% \(1 hits, 1 misses\)/);
    assert.match(text, /^ccache\s+50%\s+1\s+1\s+0\s+1\s+0\s/m);
    assert.equal(mc(['cache', 'clear']).out.trim(), 'freed 1 build-cache entry');
    assert.equal(JSON.parse(mc(['cache', 'stats', '--json']).out).entries, 0);
  });

  test('the endpoint is reopened on the same port when the node restarts, unless stopped; config.json wins', () => {
    const url = mc(['cache', 'start']).out.trim();
    assert.equal(mc(['node', 'stop']).code, 0);
    startNode();
    assert.equal(JSON.parse(mc(['cache', 'stats', '--json']).out).url, url, 'reopened on the same port');
    assert.match(mc(['cache', 'stop']).out, /stopped the build-cache endpoint/);
    assert.match(mc(['cache', 'stop']).out, /was not running/);
    const env = mc(['cache', 'env']);
    assert.equal(env.code, 1);
    assert.equal(env.out, '', 'nothing for eval to pick up');
    assert.match(env.err, /not running.*memcloud cache start.*\[CACHE_STOPPED\]/);
    assert.equal(mc(['node', 'stop']).code, 0);
    startNode();
    assert.equal(JSON.parse(mc(['cache', 'stats', '--json']).out).running, false, 'stopped stays stopped');
    assert.equal(mc(['node', 'stop']).code, 0);
    writeFileSync(join(home, 'config.json'), JSON.stringify({ buildCache: { enabled: true } }));
    startNode();
    const s = JSON.parse(mc(['cache', 'stats', '--json']).out);
    assert.equal(s.running, true, 'config.json enables it at start');
    assert.equal(s.url, url, 'on the port it used last');
  });

  test('bad input exits 2; no node exits 1 with a hint', () => {
    for (const [args, pattern] of [
      [['cache', 'start', '--port', '70000'], /--port must be an integer from 0 to 65535/],
      [['cache', 'start', '--upstream', 'ftp://x'], /unsupported scheme ftp:/],
      [['cache', 'start', '--upstream', 'redis://:s3cret-pw@host name:6379'], /^(?![\s\S]*s3cret-pw)[\s\S]*are not a URL \(not shown/],
      [['cache', 'start', '--upstream', 'redis://h:1', '--no-upstream'], /exclude each other/],
      [['cache', 'env', '--shell', 'tcsh'], /--shell must be sh, fish, powershell or json/],
      [['cache', 'stats', 'extra'], /unexpected argument "extra"/],
    ] as const) {
      const r = mc([...args]);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
      assert.match(r.err, pattern);
    }
    const none = mc(['cache', 'start'], join(root, 'nobody'));
    assert.equal(none.code, 1);
    assert.match(none.err, /no MemCloud node is running .*memcloud node start/);
  });
});

describe('shell quoting', () => {
  const nasty = ["plain", "it's", "a'b''c", 'back\\slash', 'dollar $HOME `cmd` $(cmd)', 'new\nline', 'tab\there', "‘quotes’ and \"doubles\"", ''];

  test('sh: every value comes back byte for byte from a real sh', () => {
    for (const v of nasty) {
      const r = spawnSync('sh', ['-c', `${setVariable('sh', 'X', v)}; printf %s "$X"`], { encoding: 'utf8' });
      assert.equal(r.stdout, v, JSON.stringify(v));
    }
    assert.equal(shQuote("it's"), `'it'\\''s'`);
  });

  test('fish and PowerShell quoting rules', () => {
    assert.equal(fishQuote("it's \\ ok"), `'it\\'s \\\\ ok'`);
    assert.equal(powershellQuote("it's ‘x’"), `'it''s ‘‘x’’'`);
    assert.throws(() => setVariable('sh', 'BAD NAME', 'x'));
  });
});
