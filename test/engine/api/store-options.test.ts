// StoreOptions' rules (api/schemas.ts) hold at both entries of a real engine, each checked once:
// the control socket (binary ops store/set, JSON ops openWriteStream/pushFile) and the in-process
// API. A refused value is BAD_ARGUMENT with the rule's own words, and nothing is stored.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { EngineApi } from '../../../engine/api/engine-api';
import { ErrorCodes, isMemCloudError } from '../../../engine/errors';
import { MemCloud } from '../../../engine/sdk';
import { startEngine, type TestEngine } from '../../support/engines';
import { withTempDir } from '../../support/temp';

const refusals = [
  [{ replicas: 0 }, 'replicas must be an integer from 1 to 16'],
  [{ replicas: 17 }, 'replicas must be an integer from 1 to 16'],
  [{ replicas: 1.5 }, 'replicas must be an integer from 1 to 16'],
  [{ name: 'n'.repeat(257) }, 'a name must be at most 256 characters'],
] as const;
// Values the SDK's binary encoder refuses itself, so only JSON ops and the in-process API see them.
const jsonOnly = [
  [{ durability: 'forever' }, 'durability must be "pinned" or "cache"'],
  [{ target: 'moon' }, 'target must be auto, local or remote'],
] as const;

const refusedWith = (message: string) => (e: unknown) => isMemCloudError(e, ErrorCodes.BAD_ARGUMENT) && e.message === message;

async function nothingStored(api: EngineApi): Promise<void> {
  assert.deepEqual(await api.listData(), []);
  assert.deepEqual(await api.keys(), []);
}

describe('store options: one rule set at both entries', () => {
  let node: TestEngine;
  let client: MemCloud;
  before(async () => {
    node = await startEngine('options');
    client = await MemCloud.connect({ path: node.engine.controlSocket! });
  });
  after(async () => {
    client.close();
    await node.close();
  });

  test('the control socket refuses them in binary ops (store, set) and JSON ops (openWriteStream, pushFile)', async () => {
    await withTempDir(async (dir) => {
      const file = join(dir, 'f.bin');
      await writeFile(file, 'hello');
      for (const [opts, message] of refusals) {
        const o = opts as object;
        await assert.rejects(client.store(new Uint8Array(3), o), refusedWith(message), `store ${JSON.stringify(opts).slice(0, 40)}`);
        await assert.rejects(client.set('k', new Uint8Array(3), o), refusedWith(message));
        await assert.rejects(client.openWriteStream(o), refusedWith(message));
        await assert.rejects(client.pushFile(file, o), refusedWith(message));
      }
      for (const [opts, message] of jsonOnly) {
        await assert.rejects(client.pushFile(file, opts as object), refusedWith(message));
      }
    });
    await nothingStored(node.engine.api);
    // The connection is still good: a refused argument is the caller's error, not a broken request.
    assert.deepEqual((await client.store(new Uint8Array(3), { replicas: 16, target: 'local', name: 'n'.repeat(256) })).replicas.length, 1);
  });

  test('the in-process API refuses the same values with the same words', async () => {
    const api = node.engine.api;
    const before = await api.listData();
    for (const [opts, message] of [...refusals, ...jsonOnly]) {
      const o = opts as object;
      await assert.rejects(api.store(new Uint8Array(3), o), refusedWith(message));
      await assert.rejects(api.set('k2', new Uint8Array(3), o), refusedWith(message));
      await assert.rejects(api.openWriteStream(o), refusedWith(message));
      await assert.rejects(api.pushFile('/nonexistent', o), refusedWith(message));
    }
    await assert.rejects(api.store(new Uint8Array(3), { colour: 'red' } as object), (e) => isMemCloudError(e, ErrorCodes.BAD_ARGUMENT) && /colour/.test(e.message));
    assert.deepEqual(await api.listData(), before);
    assert.deepEqual(await api.keys(), []);
  });
});
