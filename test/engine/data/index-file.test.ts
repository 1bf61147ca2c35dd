import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { contentHash } from '../../../engine/data/owner-blocks';
import { SELF } from '../../../engine/cluster/holder-service';
import { parseIndex, serializeIndex } from '../../../engine/data/index-file';
import { OwnerIndex, type BlockRecord } from '../../../engine/data/owner-index';
import { isMemCloudError } from '../../../engine/errors';

const PEER = 'Zm9vYmFyYmF6cXV4cXV1eHF1dXhxdXV4cXV1eHF1dXg';
const hexId = (n: number) => n.toString(16).padStart(32, '0');

function block(n: number, holders: string[], parent: BlockRecord['parent']): BlockRecord {
  return { id: hexId(n), size: 100 + n, hash: contentHash(Buffer.from(`block ${n}`)), durability: n % 2 ? 'cache' : 'pinned', wanted: 2, holders, createdAt: 1_700_000_000_000 + n, parent };
}

describe('owner-index.json', () => {
  test('content hashes are 64 lowercase hex digits and survive a save and load', () => {
    assert.match(contentHash(new Uint8Array(1024)), /^[0-9a-f]{64}$/);
    const index = new OwnerIndex();
    index.add(block(1, [PEER], { kind: 'key', key: 'user:1' }));
    index.add(block(2, [PEER, SELF], null));
    index.add(block(3, [SELF], null)); // only in this node's RAM: gone after a restart
    index.setKey('user:1', hexId(1));
    const { index: back, dropped } = parseIndex(serializeIndex(index), 'test');
    assert.equal(dropped, 1);
    assert.deepEqual([...back.blocks.values()], [block(1, [PEER], { kind: 'key', key: 'user:1' }), block(2, [PEER], null)]);
    assert.deepEqual([...back.keys], [['user:1', hexId(1)]]);
  });

  test('a hash that is not 64 lowercase hex digits is refused', () => {
    const index = new OwnerIndex();
    index.add(block(1, [PEER], null));
    const text = serializeIndex(index);
    const good = contentHash(Buffer.from('block 1'));
    for (const bad of [good.toUpperCase(), good.slice(1), `${good}0`]) {
      assert.throws(() => parseIndex(text.replace(good, bad), 'test'), (err) => isMemCloudError(err, 'CONFIG_INVALID'));
    }
  });
});
