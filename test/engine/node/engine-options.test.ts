// One engineOptions schema (engine/node/engine-options.ts): the flags' and worker's entry
// (resolveEngineOptions), config.json and VS Code's settings hold options to the same rules.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isMemCloudError } from '../../../engine/errors';
import { readConfigFile } from '../../../engine/node/config-file';
import { OPTION_RANGES, resolveEngineOptions } from '../../../engine/node/engine-options';
import { parseSettings } from '../../../extension/settings/settings';
import { withTempDir } from '../../support/temp';

const home = '/tmp/memcloud-options-test-home';

test('resolveEngineOptions checks every field it is given, types included (a worker message or a flag alike)', () => {
  for (const [input, message] of [
    [{ host: 7 }, 'host must be text'],
    [{ discovery: 'yes' }, 'discovery must be true or false'],
    [{ logLevel: 'loud' }, 'log level must be debug, info, warn or error'],
    [{ connect: [{ addr: 'x' }] }, 'connect entries must be { address, publicKey? }'],
    [{ port: 65536 }, 'port must be an integer from 0 to 65535, got 65536'],
    [{ replicas: 17 }, 'replicas must be an integer from 1 to 16, got 17'],
    [{ cryptoThreads: 0 }, 'crypto threads must be an integer from 1 to 64, got 0'],
    [{ crypto: 'rot13' }, 'crypto must be auto, native, portable, noble, got "rot13"'],
  ] as const) {
    assert.throws(() => resolveEngineOptions({ home, ...(input as object) }), (e) => isMemCloudError(e, 'BAD_ARGUMENT') && e.message === message, JSON.stringify(input));
  }
  const o = resolveEngineOptions({ home, port: 0, replicas: 16, discovery: false, host: '127.0.0.1' });
  assert.deepEqual([o.port, o.replicas, o.discovery, o.host, o.crypto, o.logLevel], [0, 16, false, '127.0.0.1', 'auto', 'info']);
});

test('config.json and VS Code settings take the same bounds: the maximum is accepted, one more refused', async () => {
  await withTempDir(async (dir) => {
    for (const [fileKey, settingKey, key] of [['port', 'port', 'port'], ['replicas', 'replicationFactor', 'replicas']] as const) {
      const { max } = OPTION_RANGES[key];
      for (const [value, ok] of [[max, true], [max + 1, false]] as const) {
        const h = join(dir, `${key}-${value}`);
        await mkdir(h);
        await writeFile(join(h, 'config.json'), JSON.stringify({ [fileKey]: value }));
        const fromFile = await readConfigFile(h).then(() => true, (e: unknown) => (isMemCloudError(e, 'CONFIG_INVALID') ? false : Promise.reject(e)));
        const fromSettings = parseSettings({ [settingKey]: value }, {}).problems.length === 0;
        const fromFlags = (() => {
          try {
            resolveEngineOptions({ home, [key]: value });
            return true;
          } catch {
            return false;
          }
        })();
        assert.deepEqual([fromFile, fromSettings, fromFlags], [ok, ok, ok], `${key} = ${value}`);
      }
    }
  });
});
