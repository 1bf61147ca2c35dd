// config.json's "buildCache" through its schema (buildcache/cache-config.ts): the same words whether
// the value comes from a real config.json in a home (readConfigFile, CONFIG_INVALID naming the file)
// or from the engine's options (resolveEngineOptions, BAD_ARGUMENT).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_BUILD_CACHE_CONFIG, parseBuildCacheConfig } from '../../../engine/buildcache/cache-config';
import { isMemCloudError } from '../../../engine/errors';
import { readConfigFile } from '../../../engine/node/config-file';
import { resolveEngineOptions } from '../../../engine/node/engine-options';
import { withTempDir } from '../../support/temp';

test('buildCache: true, false or an object of known settings, converted with defaults', () => {
  assert.equal(parseBuildCacheConfig(undefined), DEFAULT_BUILD_CACHE_CONFIG);
  assert.deepEqual(parseBuildCacheConfig(true), { ...DEFAULT_BUILD_CACHE_CONFIG, enabled: true });
  assert.deepEqual(parseBuildCacheConfig(false), { ...DEFAULT_BUILD_CACHE_CONFIG, enabled: false });
  assert.deepEqual(parseBuildCacheConfig({ port: 7798, upstream: 'redis://10.0.0.5:6379', maxEntrySize: '1mb', maxSize: 8192, deadlineMs: 50, upstreamDeadlineMs: 400 }), {
    enabled: true,
    port: 7798,
    upstream: 'redis://10.0.0.5:6379',
    maxEntryBytes: 1024 * 1024,
    maxTotalBytes: 8192,
    deadlineMs: 50,
    upstreamDeadlineMs: 400,
  });
});

test('a bad buildCache setting is named, in config.json and in the engine options alike', () =>
  withTempDir(async (dir) => {
    const cases: Array<[unknown, string]> = [
      ['yes', '"buildCache" must be true, false or an object'],
      [[1], '"buildCache" must be true, false or an object'],
      [{ colour: 'red' }, 'unknown setting "buildCache.colour" (known: enabled, port, upstream, maxEntrySize, maxSize, deadlineMs, upstreamDeadlineMs)'],
      [{ enabled: 'yes' }, '"buildCache.enabled" must be true or false'],
      [{ port: 70000 }, '"buildCache.port" must be an integer from 0 to 65535'],
      [{ deadlineMs: 5 }, '"buildCache.deadlineMs" must be an integer from 10 to 60000'],
      [{ upstream: 5 }, '"buildCache.upstream" must be a URL'],
      [{ maxEntrySize: '100' }, '"buildCache.maxEntrySize" must be at least 1kb'],
    ];
    for (const [i, [value, message]] of cases.entries()) {
      assert.throws(() => parseBuildCacheConfig(value), (e: Error) => e.message === message, JSON.stringify(value));
      assert.throws(() => resolveEngineOptions({ home: dir, buildCache: value }), (e) => isMemCloudError(e, 'BAD_ARGUMENT') && e.message === message);
      const home = join(dir, `h${i}`);
      await mkdir(home);
      await writeFile(join(home, 'config.json'), JSON.stringify({ buildCache: value }));
      await assert.rejects(readConfigFile(home), (e) => isMemCloudError(e, 'CONFIG_INVALID') && e.message === `${join(home, 'config.json')}: ${message}. Fix the file or move it aside (it is optional).`);
    }
    assert.throws(() => parseBuildCacheConfig({ maxSize: 'lots' }), (e: Error) => e.message.startsWith('"buildCache.maxSize": '));
    assert.throws(() => parseBuildCacheConfig({ upstream: 'ftp://x' }), (e: Error) => !e.message.includes('must be a URL') && e.message.length > 0);
  }));
