// owner-index.json, the map of offloaded data kept by earlier versions (saved about once a second,
// so it could miss acknowledged writes; see catalog-files.ts for what replaced it). A node that
// finds one and no catalog imports it once. Blocks that were only in this node's own RAM did not
// survive the restart and are dropped. A damaged file stops the node with a clear message.

import { ErrorCodes, MemCloudError } from '../errors';
import { OwnerIndex, type BlockRecord, type StreamRecord } from './owner-index';

const FORMAT = 1;
const HEX32 = /^[0-9a-f]{32}$/;
const HEX64 = /^[0-9a-f]{64}$/;

type BlockRow = [id: string, size: number, hash: string, cache: 0 | 1, wanted: number, holders: number[], createdAt: number, parent: string | null];

interface IndexFile {
  readonly version: typeof FORMAT;
  readonly holders: string[];
  readonly blocks: BlockRow[];
  readonly keys: Array<[string, string]>;
  readonly streams: StreamRecord[];
}

/** Parses and validates; returns the index and how many blocks were dropped (held only here). */
export function parseIndex(text: string, where: string): { index: OwnerIndex; dropped: number } {
  const bad = (why: string) =>
    new MemCloudError(
      ErrorCodes.CONFIG_INVALID,
      `${where} is damaged (${why}). Move it aside to start without it (what it listed stays on the peers until memcloud flush or the peers restart).`,
    );
  let f: IndexFile;
  try {
    f = JSON.parse(text) as IndexFile;
  } catch {
    throw bad('not valid JSON');
  }
  if (typeof f !== 'object' || f === null || f.version !== FORMAT) throw bad('unknown version');
  if (!Array.isArray(f.holders) || !f.holders.every((h) => typeof h === 'string' && /^[A-Za-z0-9_-]{43}$/.test(h))) throw bad('bad holder list');
  if (!Array.isArray(f.blocks) || !Array.isArray(f.keys) || !Array.isArray(f.streams)) throw bad('missing lists');
  const index = new OwnerIndex();
  let dropped = 0;
  // Earlier versions did not keep a chunk's place in its stream: it is its place in the stream's list.
  const chunkIndex = new Map<string, number>();
  for (const st of Array.isArray(f.streams) ? f.streams : []) {
    if (Array.isArray(st?.chunks)) st.chunks.forEach((c, i) => chunkIndex.set(c, i));
  }
  for (const row of f.blocks) {
    if (!Array.isArray(row) || row.length !== 8) throw bad('bad block row');
    const [id, size, hash, cache, wanted, holders, createdAt, parent] = row;
    if (!HEX32.test(id) || !Number.isSafeInteger(size) || size < 0 || !HEX64.test(hash) || (cache !== 0 && cache !== 1)) throw bad(`bad block ${String(id)}`);
    if (!Number.isInteger(wanted) || wanted < 1 || wanted > 16 || !Array.isArray(holders) || !Number.isSafeInteger(createdAt)) throw bad(`bad block ${id}`);
    if (!holders.every((h) => Number.isInteger(h) && h >= 0 && h < f.holders.length)) throw bad(`bad holder of block ${id}`);
    if (parent !== null && (typeof parent !== 'string' || !/^[ks]:/.test(parent))) throw bad(`bad parent of block ${id}`);
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
  for (const pair of f.keys) {
    if (!Array.isArray(pair) || typeof pair[0] !== 'string' || typeof pair[1] !== 'string') throw bad('bad key entry');
    if (index.blocks.has(pair[1])) index.setKey(pair[0], pair[1]);
  }
  for (const s of f.streams) {
    if (typeof s !== 'object' || s === null || !HEX32.test(s.id) || typeof s.name !== 'string' || !Number.isSafeInteger(s.size)) throw bad('bad stream');
    if (!Array.isArray(s.chunks) || !s.chunks.every((c) => typeof c === 'string') || (s.format !== 'file' && s.format !== 'folder')) throw bad(`bad stream ${s.id}`);
    index.setStream(s);
  }
  return { index, dropped };
}
