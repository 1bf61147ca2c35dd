// Large sealed blocks in the crypto pool (crypto/place.ts: noble's blocks from 64 KiB): the pool
// seals exactly the bytes the engine thread would (docs/protocol.md 7.4), opens only the block it
// was sealed as, and a closed pool changes nothing but where the work runs. Runs the REAL pool from
// dist/crypto-task.js (`npm run build` first; npm test does).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlockSealer, PIECE_BYTES, type BlockIdentity } from '../../../engine/data/block-seal';
import { openDataKey, type DataKey } from '../../../engine/data/data-key';
import { loadBackend } from '../../../engine/crypto/backends';
import { CRYPTO_BACKENDS } from '../../../engine/crypto/backend-name';
import { CryptoPool } from '../../../engine/crypto/pool';
import { PLACEMENT } from '../../../engine/crypto/place';
import { isMemCloudError } from '../../../engine/errors';

const id = () => randomBytes(16).toString('hex');
const isCorrupt = (e: unknown) => isMemCloudError(e, 'CORRUPT_BLOCK');

describe('sealed blocks in the crypto pool', () => {
  let dir: string;
  let dataKey: DataKey;
  let pool: CryptoPool;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'memcloud-seal-pool-'));
    dataKey = await openDataKey(join(dir, 'data_key'), 0);
    pool = CryptoPool.create({ threads: 1 });
  });
  after(async () => {
    await pool.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('noble (the backend crypto/place.ts sends to the pool) offloads blocks of 64 KiB and more', () => {
    assert.equal(PLACEMENT.noble.blockPoolMinBytes, 64 * 1024);
  });

  for (const name of CRYPTO_BACKENDS) {
    test(`${name}: the pool seals the bytes the engine thread seals, and opens them`, async () => {
      const aead = (await loadBackend(name)).aead;
      const inline = new BlockSealer(aead, dataKey);
      const pooled = new BlockSealer(aead, dataKey, { pool, backend: name, minBytes: 2 * PIECE_BYTES });
      for (const size of [100, 2 * PIECE_BYTES, 2 * PIECE_BYTES + 1, 1024 * 1024, 1024 * 1024 + 7]) {
        const block: BlockIdentity = { id: id(), parent: { kind: 'stream', id: id(), index: size % 5 }, size };
        const plain = randomBytes(size);
        // Several at once: each keeps its own identity while it waits for the pool.
        const others = [1, 2, 3].map((i) => ({ block: { ...block, id: id(), parent: { kind: 'key' as const, key: `k${i}` } }, plain: randomBytes(size) }));
        const [sealed, ...otherSealed] = await Promise.all([pooled.sealAsync(block, plain), ...others.map((o) => pooled.sealAsync(o.block, o.plain))]);
        assert.deepEqual(Buffer.from(sealed!), Buffer.from(inline.seal(block, plain)), `${name}, ${size} bytes`);
        others.forEach((o, i) => assert.deepEqual(Buffer.from(otherSealed[i]!), Buffer.from(inline.seal(o.block, o.plain))));
        assert.deepEqual(Buffer.from(await pooled.openAsync(block, sealed!)), plain);
        assert.deepEqual(Buffer.from(inline.open(block, sealed!)), plain);
        // Tampered, or presented as another block: CORRUPT_BLOCK from the pool too.
        const bad = Buffer.from(sealed!);
        bad[bad.length - 20]! ^= 1;
        await assert.rejects(pooled.openAsync(block, bad), isCorrupt, 'a changed byte');
        await assert.rejects(pooled.openAsync({ ...block, id: id() }, sealed!), isCorrupt, 'another id');
        await assert.rejects(pooled.openAsync(others[0]!.block, otherSealed[1]!), isCorrupt, 'another key of ours');
      }
    });
  }

  test('a closed pool: blocks are sealed and opened on this thread instead, the same bytes', async () => {
    const closed = CryptoPool.create({ threads: 1 });
    await closed.close();
    const aead = (await loadBackend('noble')).aead;
    const inline = new BlockSealer(aead, dataKey);
    const pooled = new BlockSealer(aead, dataKey, { pool: closed, backend: 'noble', minBytes: 1 });
    const block: BlockIdentity = { id: id(), parent: null, size: 3 * PIECE_BYTES };
    const plain = randomBytes(block.size);
    const sealed = await pooled.sealAsync(block, plain);
    assert.deepEqual(Buffer.from(sealed), Buffer.from(inline.seal(block, plain)));
    assert.deepEqual(Buffer.from(await pooled.openAsync(block, sealed)), plain);
    const bad = Buffer.from(sealed);
    bad[100]! ^= 1;
    await assert.rejects(pooled.openAsync(block, bad), isCorrupt, 'still checked');
  });
});
