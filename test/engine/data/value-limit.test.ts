// The largest value (docs/protocol.md 7.1, 9, 10.3): a value or block is sealed before it leaves
// the owner (7.4: 8 + size + 16 per 32 KiB piece) and a holder keeps at most 16 MiB per block, so
// the node accepts at most 16,769,016 bytes. Over real engines (TCP between them, the real control
// socket, the SDK, the CLI): a value of exactly the limit is stored on a remote holder and reads
// back identical; one byte more is refused up front with BAD_ARGUMENT naming the limit, at every
// entry, and nothing is stored or charged anywhere.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FrameKind, OpCodes } from '../../../engine/control/protocol';
import { MAX_VALUE_BYTES } from '../../../engine/data/data-input';
import { largestSealable, sealedSize } from '../../../engine/data/stored-size';
import { isMemCloudError } from '../../../engine/errors';
import { MemCloud } from '../../../engine/sdk';
import { MAX_BLOCK_BYTES } from '../../../engine/store/block-cost';
import { connect, internals, trustedEngines, type TestEngine } from '../../support/engines';
import { runCliInProcess } from '../../support/cli-in-process';
import { withTempDir } from '../../support/temp';
import { RawClient, frame } from '../control/harness';

const LIMIT = 16_769_016;
const tooLarge = (e: unknown) =>
  isMemCloudError(e, 'BAD_ARGUMENT') && e.message.includes(`at most ${LIMIT} bytes`) && e.message.includes(`this one has ${LIMIT + 1}`);

describe('the sealed-size arithmetic', () => {
  test('16,769,016 bytes is the largest value whose sealed form fits a 16 MiB block', () => {
    assert.equal(MAX_BLOCK_BYTES, 16 * 1024 * 1024);
    assert.equal(MAX_VALUE_BYTES, LIMIT);
    assert.equal(sealedSize(LIMIT), MAX_BLOCK_BYTES, '8 + 16,769,016 + 16 x 512');
    assert.ok(sealedSize(LIMIT + 1) > MAX_BLOCK_BYTES);
    assert.equal(sealedSize(16 * 1024 * 1024), 16_785_416, 'the 16 MiB value that used to fail late');
    // Against a brute force over small limits: the largest size that seals within each.
    for (let sealed = 24; sealed < 3 * 32_768 + 100; sealed += 37) {
      let best = 0;
      while (sealedSize(best + 1) <= sealed) best++;
      assert.equal(largestSealable(sealed), best, `sealed ${sealed}`);
    }
  });
});

describe('the largest value, over real engines', () => {
  const open: TestEngine[] = [];
  let owner: TestEngine;
  let holder: TestEngine;
  let client: MemCloud;
  before(async () => {
    [owner, holder] = (await trustedEngines(['owner-limit', 'holder-limit'], open)) as [TestEngine, TestEngine];
    await connect(owner, holder);
    client = await MemCloud.connect({ path: owner.engine.controlSocket! });
  });
  after(async () => {
    client.close();
    await Promise.all(open.map((e) => e.close()));
  });

  const ns = () => owner.engine.identity.publicKeyText;
  const holderKey = () => holder.engine.identity.publicKeyText;
  const onHolder = () => internals(holder.engine).store.usage(ns());

  test('a value of exactly 16,769,016 bytes is stored on a remote holder, sealed into exactly 16 MiB, and reads back identical', async () => {
    const value = randomBytes(LIMIT);
    await client.set('max', value, { target: 'remote', replicas: 1 });
    const id = internals(owner.engine).catalog.keys.get('max')!;
    assert.deepEqual(internals(owner.engine).catalog.blocks.get(id)!.holders, [holderKey()], 'the only copy is on the holder');
    assert.equal(internals(holder.engine).store.get(ns(), id)?.length, MAX_BLOCK_BYTES, 'the holder keeps 16 MiB of sealed bytes');
    assert.ok(Buffer.from(await client.get('max')).equals(value), 'get returns the value');

    const ref = await client.store(value, { target: 'remote', replicas: 1 });
    assert.deepEqual(ref.replicas.map((r) => r.holder), [holderKey()]);
    assert.equal(internals(holder.engine).store.get(ns(), ref.id)?.length, MAX_BLOCK_BYTES);
    assert.ok(Buffer.from(await client.load(ref.id)).equals(value), 'load returns the block');
    assert.deepEqual(onHolder(), { bytes: 2 * (MAX_BLOCK_BYTES + 512), blocks: 2 });
  });

  test('one byte more is refused up front with BAD_ARGUMENT naming the limit (SDK, control socket, CLI, in process); nothing is stored or charged', async () => {
    const usage = onHolder();
    const items = await owner.engine.api.listData();
    const keys = await owner.engine.api.keys();
    const over = new Uint8Array(LIMIT + 1);

    // The SDK refuses before sending.
    await assert.rejects(client.set('over', over, { target: 'remote' }), tooLarge);
    await assert.rejects(client.store(over, { target: 'remote' }), tooLarge);

    // The node refuses a client that does not check: raw set and store frames on the control socket.
    const raw = await RawClient.open(owner.engine.controlSocket!);
    try {
      const key = Buffer.from('over');
      const setBody = Buffer.concat([Buffer.from([0, key.length]), key, Buffer.from([0]), over]);
      raw.send(frame(FrameKind.REQUEST, OpCodes.set, 7, setBody));
      raw.send(frame(FrameKind.REQUEST, OpCodes.store, 8, Buffer.concat([Buffer.from([0]), over])));
      raw.send(frame(FrameKind.REQUEST, OpCodes.keys, 9, Buffer.from('[]')));
      const frames = await raw.waitFrames(3);
      for (const id of [7, 8]) {
        const reply = frames.find((f) => f.id === id)!;
        assert.equal(reply.kind, FrameKind.ERROR);
        const err = JSON.parse(reply.body.toString()) as { code: string; message: string };
        assert.equal(err.code, 'BAD_ARGUMENT');
        assert.match(err.message, new RegExp(`at most ${LIMIT} bytes .*this one has ${LIMIT + 1}`));
      }
      assert.equal(frames.find((f) => f.id === 9)!.kind, FrameKind.RESULT, 'the connection stays usable');
    } finally {
      raw.socket.destroy();
    }

    // The engine's own API.
    await assert.rejects(owner.engine.api.set('over', over), tooLarge); // a rejected promise, not a throw at the call
    await assert.rejects(async () => owner.engine.api.store(over), tooLarge);

    // The CLI, with a file one byte too large: a usage error, before any node is asked.
    await withTempDir(async (dir) => {
      const file = join(dir, 'over.bin');
      await writeFile(file, over);
      for (const args of [['set', 'over', '--file', file], ['store', '--file', file]]) {
        const r = await runCliInProcess([...args, '--home', internals(owner.engine).options.home]);
        assert.equal(r.code, 2, r.err);
        assert.match(r.err, new RegExp(`at most ${LIMIT} bytes .*this one has ${LIMIT + 1}.*\\[BAD_ARGUMENT\\]`));
      }
    });

    assert.deepEqual(onHolder(), usage, 'nothing more stored or charged on the holder');
    assert.deepEqual(await owner.engine.api.listData(), items, 'nothing more stored on the owner');
    assert.deepEqual(await owner.engine.api.keys(), keys);
    assert.ok(!keys.includes('over'));
  });
});
