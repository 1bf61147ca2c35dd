// buildcache.json through its schema (api/schema.ts): a real file in a temp directory. What
// `memcloud cache start` wrote reads back; a damaged file is ignored with a warning naming the
// field (the endpoint stays off), and never rewritten.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readCacheState, writeCacheState } from '../../../engine/buildcache/cache-state-file';
import { Logger } from '../../../engine/log/log';
import { withTempDir } from '../../support/temp';

test('buildcache.json: written state reads back; a damaged one is ignored with the field named, and left as it was', () =>
  withTempDir(async (dir) => {
    const path = join(dir, 'buildcache.json');
    const log = new Logger('debug');
    assert.equal(await readCacheState(path, log), undefined, 'no file: no state');
    const state = { enabled: true, port: 7798, upstream: 'redis://10.0.0.5:6379' };
    await writeCacheState(path, state);
    assert.deepEqual(await readCacheState(path, log), state);
    await writeCacheState(path, { enabled: false, port: null, upstream: null });
    assert.deepEqual(await readCacheState(path, log), { enabled: false, port: null, upstream: null });

    const cases: Array<[string, RegExp]> = [
      ['{"enabled":', /which is damaged \(it is not valid JSON\)/],
      [JSON.stringify({ version: 1, enabled: 'yes', port: null, upstream: null }), /\("enabled" must be a boolean\)/],
      [JSON.stringify({ version: 1, enabled: true, port: 70000, upstream: null }), /\("port" must be an integer from 1 to 65535\)/],
      [JSON.stringify({ version: 1, enabled: true, port: null, upstream: 'ftp://x' }), /\(.*upstream|\(.*URL|\(.*ftp/i],
      [JSON.stringify({ version: 2, enabled: true, port: null, upstream: null }), /\("version" must be one of 1\)/],
    ];
    for (const [content, message] of cases) {
      await writeFile(path, content, { mode: 0o600 });
      const warnings: string[] = [];
      const off = log.addSink((e) => {
        if (e.level === 'warn') warnings.push(e.message);
      });
      assert.equal(await readCacheState(path, log), undefined, content);
      off();
      assert.equal(warnings.length, 1, content);
      assert.ok(warnings[0]!.startsWith(`build cache: ignoring ${path}, which is damaged (`), warnings[0]);
      assert.match(warnings[0]!, message);
      assert.equal(await readFile(path, 'utf8'), content, 'left as it was');
    }
  }));
