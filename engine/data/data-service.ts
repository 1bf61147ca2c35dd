// The data half of the engine API: blocks, keys, streams and files, all through the cluster.
// Operations on one key are serialized so concurrent overwrites cannot leave replicas disagreeing.

import type { BlockRef, DataItem, StoreOptions, StreamInfo, TransferProgress } from '../api/types';
import type { FileTransferOptions, ReadStreamHandle, WriteStreamHandle } from '../api/engine-api';
import { ErrorCodes, MemCloudError } from '../errors';
import type { Cluster } from '../cluster/cluster';
import { SELF } from '../cluster/holder-service';
import type { BlockRecord } from '../cluster/owner-index';
import { BlockReadStream, BlockWriteStream, streamInfo } from './streams';
import { globToMatcher } from '../store/glob';
import { KeyedMutex } from './keyed-mutex';
import { FileTransfers } from './file-transfers';
import { validateKey, validateStoreOptions, validateValue } from './data-input';

const NO_OPTIONS: StoreOptions = Object.freeze({});

export class DataService {
  private readonly keyLocks = new KeyedMutex();
  readonly files: FileTransfers;

  constructor(
    private readonly cluster: Cluster,
    onProgress: (p: TransferProgress) => void,
  ) {
    this.files = new FileTransfers(this, onProgress);
  }

  async store(data: Uint8Array, opts: StoreOptions = {}): Promise<BlockRef> {
    validateValue(data);
    const r = await this.cluster.storeBlock(data, validateStoreOptions(opts));
    this.cluster.emit('data-changed');
    return this.ref(r);
  }

  async load(id: string): Promise<Uint8Array> {
    const r = this.cluster.index.blocks.get(id);
    if (!r || r.parent !== null) throw new MemCloudError(ErrorCodes.NOT_FOUND, `no stored block ${id} (use pull for a pushed stream, get for a key)`);
    return this.cluster.loadBlock(id);
  }

  /** Frees a stored block or a whole stream, on every holder. */
  async free(id: string): Promise<void> {
    const stream = this.cluster.index.streams.get(id);
    if (stream) {
      this.cluster.index.deleteStream(id);
      await this.cluster.freeBlocks(stream.chunks);
    } else {
      const r = this.cluster.index.blocks.get(id);
      if (!r || r.parent !== null) throw new MemCloudError(ErrorCodes.NOT_FOUND, `nothing stored with id ${id}`);
      await this.cluster.freeBlocks([id]);
    }
    this.cluster.emit('data-changed');
  }

  set(key: string, value: Uint8Array, opts: StoreOptions = NO_OPTIONS): Promise<void> {
    validateKey(key);
    validateValue(value);
    const options = validateStoreOptions(opts);
    return this.keyLocks.run(key, () => this.setLocked(key, value, options));
  }

  /** set() while holding the key's lock. */
  private async setLocked(key: string, value: Uint8Array, options: StoreOptions): Promise<void> {
    const { index } = this.cluster;
    const id = index.keys.get(key);
    const existing = id === undefined ? undefined : index.blocks.get(id);
    if (existing) {
      await this.cluster.storeBlock(value, options, existing);
      return;
    }
    const r = await this.cluster.storeBlock(value, options, undefined, { kind: 'key', key });
    index.setKey(key, r.id);
    this.cluster.emit('data-changed');
  }

  get(key: string): Promise<Uint8Array> {
    validateKey(key);
    const id = this.cluster.index.keys.get(key);
    if (id === undefined) return Promise.reject(new MemCloudError(ErrorCodes.NOT_FOUND, `no key ${JSON.stringify(key)}`));
    return this.cluster.loadBlock(id);
  }

  del(key: string): Promise<boolean> {
    validateKey(key);
    return this.keyLocks.run(key, async () => {
      const id = this.cluster.index.keys.get(key);
      if (id === undefined) return false;
      this.cluster.index.deleteKey(key);
      await this.cluster.freeBlocks([id]);
      this.cluster.emit('data-changed');
      return true;
    });
  }

  keys(pattern = '*'): string[] {
    const match = globToMatcher(pattern);
    return [...this.cluster.index.keys.keys()].filter(match).sort();
  }

  openWriteStream(opts: StoreOptions = {}, onProgress?: (done: number) => void, format: 'file' | 'folder' = 'file'): WriteStreamHandle {
    return new BlockWriteStream(this.cluster, validateStoreOptions(opts), onProgress, format);
  }

  openReadStream(id: string, onProgress?: (done: number) => void): ReadStreamHandle {
    const r = this.cluster.index.streams.get(id);
    if (!r) throw new MemCloudError(ErrorCodes.NOT_FOUND, `no stream ${id}`);
    return new BlockReadStream(this.cluster, r, onProgress);
  }

  streamInfo(id: string): StreamInfo {
    const r = this.cluster.index.streams.get(id);
    if (!r) throw new MemCloudError(ErrorCodes.NOT_FOUND, `no stream ${id}`);
    return streamInfo(r);
  }

  pushFile(path: string, opts: FileTransferOptions = {}): Promise<StreamInfo> {
    return this.files.push(path, opts);
  }

  pullFile(id: string, path: string, opts: { readonly transferId?: string } = {}): Promise<StreamInfo> {
    return this.files.pull(id, path, opts);
  }

  listData(): DataItem[] {
    const { index } = this.cluster;
    const items: DataItem[] = [];
    for (const r of index.blocks.values()) {
      if (r.parent === null) items.push(this.item(r.id, 'block', `block ${r.id.slice(0, 8)}`, r.size, r.durability, r.createdAt, [r]));
    }
    for (const [key, id] of index.keys) {
      const r = index.blocks.get(id);
      if (r) items.push(this.item(key, 'key', key, r.size, r.durability, r.createdAt, [r]));
    }
    for (const s of index.streams.values()) {
      const chunks = s.chunks.map((c) => index.blocks.get(c)).filter((r): r is BlockRecord => r !== undefined);
      items.push({ ...this.item(s.id, 'stream', s.name, s.size, s.durability, s.createdAt, chunks, chunks.length < s.chunks.length), format: s.format });
    }
    return items.sort((a, b) => b.createdAt - a.createdAt);
  }

  /** Frees all of this node's own data, local and on peers; never anyone else's. */
  async flush(): Promise<{ freedItems: number }> {
    const { index } = this.cluster;
    const freedItems = index.keys.size + index.streams.size + [...index.blocks.values()].filter((r) => r.parent === null).length;
    const all = [...index.blocks.keys()];
    index.clearKeysAndStreams();
    await this.cluster.freeBlocks(all);
    this.cluster.emit('data-changed');
    return { freedItems };
  }

  private ref(r: BlockRecord): BlockRef {
    return { id: r.id, size: r.size, replicas: r.holders.map((h) => ({ holder: h === SELF ? 'local' : h, holderName: this.cluster.holderName(h) })) };
  }

  private item(id: string, kind: DataItem['kind'], name: string, size: number, durability: DataItem['durability'], createdAt: number, blocks: readonly BlockRecord[], lost = false): DataItem {
    const holders = new Set<string>();
    let degraded = lost;
    for (const b of blocks) {
      const live = b.holders.filter((h) => this.cluster.isLive(h));
      if (live.length < b.wanted) degraded = true;
      for (const h of b.holders) holders.add(h);
    }
    const replicas = [...holders].map((h) => ({ holder: h === SELF ? 'local' : h, holderName: this.cluster.holderName(h) }));
    return { id, kind, name, size, durability, createdAt, replicas, degraded };
  }
}
