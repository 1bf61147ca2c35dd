// The package's SDK entry (`memcloud/sdk`): the bundle loads by that name and its type declarations
// compile a typical user's code.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const root = join(__dirname, '..', '..', '..');

test('require("memcloud/sdk") gives the client, the errors and the socket path helper', async () => {
  const req = createRequire(join(root, 'package.json'));
  const sdk = req('memcloud/sdk') as typeof import('../../../engine/sdk');
  assert.equal(typeof sdk.MemCloud.connect, 'function');
  assert.equal(sdk.ErrorCodes.QUOTA_EXCEEDED, 'QUOTA_EXCEEDED');
  assert.match(sdk.controlSocketPath('/home/me/.memcloud', 'linux'), /control\.sock$/);
  await assert.rejects(sdk.MemCloud.connect({ home: join(root, 'no-such-home'), connectTimeoutMs: 1000 }), (e: { code?: string }) => e.code === 'NODE_NOT_RUNNING');
});

test('the type declarations compile a user of memcloud/sdk', () => {
  const r = spawnSync(
    process.execPath,
    [join(root, 'node_modules/typescript/bin/tsc'), '--noEmit', '--strict', '--module', 'preserve', '--moduleResolution', 'bundler', '--target', 'es2022', '--types', 'node', join(__dirname, 'fixtures', 'consumer.ts')],
    { cwd: root, encoding: 'utf8' },
  );
  assert.equal(r.status, 0, r.stdout + r.stderr);
});
