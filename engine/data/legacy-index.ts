// owner-index.json, the map of offloaded data kept by earlier versions (saved about once a second,
// so it could miss acknowledged writes; see catalog-files.ts for what replaced it). A node that
// finds one and no catalog imports it once. Blocks that were only in this node's own RAM did not
// survive the restart and are dropped. A damaged file stops the node with a clear message naming
// the first problem (its schema below, through api/json-file.ts).

import { parseJsonFile } from '../api/json-file';
import { arr, int, is, literal, nullable, obj, refine, rule, str, tuple, type Schema } from '../api/schema';
import { MAX_REPLICAS } from '../api/schemas';
import { ErrorCodes, MemCloudError } from '../errors';
import { OwnerIndex, type BlockRecord, type StreamRecord } from './owner-index';

const FORMAT = 1;
const matching = (pattern: RegExp, expected: string) => is((v): v is string => typeof v === 'string' && pattern.test(v), expected);
const blockId = matching(/^[0-9a-f]{32}$/, '32 lower-case hex digits');
const safeInt = int(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
const count = int(0, Number.MAX_SAFE_INTEGER);

/** [id, size, hash, cache, wanted, holders (indices into "holders"), createdAt, parent ("k:key", "s:stream" or null)]. */
const blockRow = tuple(
  blockId,
  count,
  matching(/^[0-9a-f]{64}$/, '64 lower-case hex digits'),
  literal(0, 1),
  int(1, MAX_REPLICAS),
  arr(count),
  safeInt,
  nullable(matching(/^[ks]:/, 'a parent ("k:" or "s:")')),
);

const streamRecord: Schema<StreamRecord> = obj({
  id: blockId,
  name: str,
  size: safeInt,
  chunks: arr(str),
  digest: str,
  format: literal('file', 'folder'),
  durability: literal('pinned', 'cache'),
  createdAt: safeInt,
});

const indexFile = refine(
  obj({
    version: rule(literal(FORMAT), 'unknown version'),
    holders: arr(matching(/^[A-Za-z0-9_-]{43}$/, 'a public key')),
    blocks: arr(blockRow),
    keys: arr(tuple(str, str)),
    streams: arr(streamRecord),
  }),
  (f) => {
    const row = f.blocks.find((b) => b[5].some((h) => h >= f.holders.length));
    return row === undefined ? undefined : `bad holder of block ${row[0]}`;
  },
);

/** Parses and validates; returns the index and how many blocks were dropped (held only here). */
export function parseIndex(text: string, where: string): { index: OwnerIndex; dropped: number } {
  const f = parseJsonFile(text, indexFile);
  if (typeof f === 'string') {
    throw new MemCloudError(
      ErrorCodes.CONFIG_INVALID,
      `${where} is damaged (${f}). Move it aside to start without it (what it listed stays on the peers until memcloud flush or the peers restart).`,
    );
  }
  const index = new OwnerIndex();
  let dropped = 0;
  // Earlier versions did not keep a chunk's place in its stream: it is its place in the stream's list.
  const chunkIndex = new Map<string, number>();
  for (const st of f.streams) st.chunks.forEach((c, i) => chunkIndex.set(c, i));
  for (const [id, size, hash, cache, wanted, holders, createdAt, parent] of f.blocks) {
    if (holders.length === 0) {
      dropped++;
      continue;
    }
    const record: BlockRecord = {
      id,
      size,
      hash,
      durability: cache === 1 ? 'cache' : 'pinned',
      wanted,
      holders: holders.map((h) => f.holders[h]!),
      createdAt,
      parent: parent === null ? null : parent.startsWith('k:') ? { kind: 'key', key: parent.slice(2) } : { kind: 'stream', id: parent.slice(2), index: chunkIndex.get(id) ?? 0 },
    };
    index.add(record);
  }
  for (const [key, block] of f.keys) if (index.blocks.has(block)) index.setKey(key, block);
  for (const s of f.streams) index.setStream(s);
  return { index, dropped };
}
