// owner-index.json of earlier versions: read once into the catalog, every field checked.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseIndex } from '../../../engine/data/legacy-index';
import { contentHash } from '../../../engine/data/owner-blocks';
import { isMemCloudError } from '../../../engine/errors';

const PEER = 'Zm9vYmFyYmF6cXV4cXV1eHF1dXhxdXV4cXV1eHF1dXg';
const hexId = (n: number) => n.toString(16).padStart(32, '0');
const hash1 = contentHash(Buffer.from('block 1'));

/** An owner-index.json as version 1 wrote it: key k on PEER, a block with no peer (only in RAM). */
function legacyFile(hash = hash1): string {
  return JSON.stringify({
    version: 1,
    holders: [PEER],
    blocks: [
      [hexId(1), 101, hash, 1, 2, [0], 1_700_000_000_001, 'k:user:1'],
      [hexId(2), 102, contentHash(Buffer.from('block 2')), 0, 1, [], 1_700_000_000_002, null],
    ],
    keys: [['user:1', hexId(1)], ['gone', hexId(2)]],
    streams: [],
  });
}

describe('owner-index.json (version 1)', () => {
  test('is read with its holders, keys and hashes; blocks held only in RAM are dropped', () => {
    const { index, dropped } = parseIndex(legacyFile(), 'test');
    assert.equal(dropped, 1);
    assert.deepEqual([...index.blocks.values()], [
      { id: hexId(1), size: 101, hash: hash1, durability: 'cache', wanted: 2, holders: [PEER], createdAt: 1_700_000_000_001, parent: { kind: 'key', key: 'user:1' } },
    ]);
    assert.deepEqual([...index.keys], [['user:1', hexId(1)]]);
  });

  test('a hash that is not 64 lowercase hex digits is refused', () => {
    for (const bad of [hash1.toUpperCase(), hash1.slice(1), `${hash1}0`]) {
      assert.throws(() => parseIndex(legacyFile(bad), 'test'), (err) => isMemCloudError(err, 'CONFIG_INVALID'));
    }
  });

  test('a damaged file is refused with the place and what was expected (its schema)', () => {
    const file = JSON.parse(legacyFile()) as { blocks: unknown[][]; streams: unknown[]; holders: string[] };
    const cases: Array<[unknown, RegExp]> = [
      [{ ...file, version: 2 }, /\(unknown version\)/],
      [{ ...file, blocks: [[...file.blocks[0]!, 'extra']] }, /\(blocks\[0\]: must be a list of 8 items\)/],
      [{ ...file, blocks: [[...file.blocks[0]!.slice(0, 4), 17, ...file.blocks[0]!.slice(5)]] }, /\(blocks\[0\]\[4\]: must be an integer from 1 to 16\)/],
      [{ ...file, blocks: [[...file.blocks[0]!.slice(0, 5), [1], ...file.blocks[0]!.slice(6)]] }, /\(bad holder of block 0+1\)/],
      [{ ...file, keys: [['k']] }, /\(keys\[0\]: must be a list of 2 items\)/],
      [{ ...file, streams: [{ id: hexId(3), name: 's', size: 1, chunks: [], digest: 'd', format: 'file', durability: 'forever', createdAt: 1 }] }, /\(streams\[0\]: "durability" must be one of pinned, cache\)/],
      [{ ...file, holders: ['short'] }, /\(holders\[0\]: must be a public key\)/],
    ];
    for (const [content, message] of cases) {
      assert.throws(() => parseIndex(JSON.stringify(content), '/h/owner-index.json'), (err) => isMemCloudError(err, 'CONFIG_INVALID') && message.test(err.message) && err.message.startsWith('/h/owner-index.json is damaged'), JSON.stringify(content));
    }
  });
});
