// owner-index.json in the home: what this node has offloaded and where, so a restarted node (or the
// VS Code window that takes over) still finds its data on the peers. Saved atomically (0600) about
// once a second while it changes, and at stop. Blocks that were only in this node's own RAM do not
// survive a restart and are dropped on load. A damaged file stops the node with a clear message.

import { readFile } from 'node:fs/promises';
import { ErrorCodes, MemCloudError } from '../errors';
import { writeFileAtomic } from '../home/atomic-file';
import type { Logger } from '../log/log';
import { SELF } from '../cluster/holder-service';
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

/** What is saved: the maps as the catalog (or an index) shows them. */
export interface IndexView {
  readonly version: number;
  readonly blocks: ReadonlyMap<string, BlockRecord>;
  readonly keys: ReadonlyMap<string, string>;
  readonly streams: ReadonlyMap<string, StreamRecord>;
}

export function serializeIndex(index: IndexView): string {
  const holders: string[] = [];
  const holderIndex = new Map<string, number>();
  const ref = (h: string) => {
    let i = holderIndex.get(h);
    if (i === undefined) holderIndex.set(h, (i = holders.push(h) - 1));
    return i;
  };
  const blocks: BlockRow[] = [];
  for (const r of index.blocks.values()) {
    const peers = r.holders.filter((h) => h !== SELF).map(ref);
    const parent = r.parent === null ? null : r.parent.kind === 'key' ? `k:${r.parent.key}` : `s:${r.parent.id}`;
    blocks.push([r.id, r.size, r.hash, r.durability === 'cache' ? 1 : 0, r.wanted, peers, r.createdAt, parent]);
  }
  const file: IndexFile = { version: FORMAT, holders, blocks, keys: [...index.keys], streams: [...index.streams.values()] };
  return JSON.stringify(file);
}

/** Parses and validates; returns the index and how many blocks were dropped (held only here). */
export function parseIndex(text: string, where: string): { index: OwnerIndex; dropped: number } {
  const bad = (why: string) =>
    new MemCloudError(
      ErrorCodes.CONFIG_INVALID,
      `${where} is damaged (${why}). Move it aside to start without it; the data it listed on peers is then freed when they reconnect.`,
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
      parent: parent === null ? null : parent.startsWith('k:') ? { kind: 'key', key: parent.slice(2) } : { kind: 'stream', id: parent.slice(2) },
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

export async function loadIndexFile(path: string, log: Logger): Promise<OwnerIndex> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return new OwnerIndex();
    throw new MemCloudError(ErrorCodes.CONFIG_INVALID, `cannot read ${path}: ${(err as Error).message}`);
  }
  const { index, dropped } = parseIndex(text, path);
  log.info(`restored the map of ${index.blocks.size} offloaded blocks${dropped ? `; ${dropped} that were only in this node's RAM are gone` : ''}`);
  return index;
}

/** Saves the index when it changes (checked every second) and once more at close. */
export class IndexPersister {
  private saved = -1;
  private saving: Promise<void> | null = null;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly index: IndexView,
    private readonly path: string,
    private readonly log: Logger,
  ) {
    this.saved = index.version;
    this.timer = setInterval(() => void this.save(), 1000);
    this.timer.unref();
  }

  async save(): Promise<void> {
    if (this.saving) return this.saving;
    const version = this.index.version;
    if (version === this.saved) return;
    this.saving = writeFileAtomic(this.path, serializeIndex(this.index), 0o600)
      .then(() => {
        this.saved = version;
      })
      .catch((err: unknown) => this.log.error(`could not save ${this.path}: ${(err as Error).message}`))
      .finally(() => {
        this.saving = null;
      });
    return this.saving;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.saving;
    await this.save();
  }
}
