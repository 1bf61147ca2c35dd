// The data half of the engine API: blocks, keys, streams and files. A write reaches its replicas
// first, then the catalog maps it (and only then is it acknowledged); what it replaced is freed
// after. Operations on one key are serialized so concurrent overwrites cannot interleave.

import type { BlockRef, DataItem, PushInfo, StoreOptions, StreamInfo, TransferProgress } from '../api/types';
import type { EngineApi, FileTransferOptions, ReadStreamHandle, WriteStreamHandle } from '../api/engine-api';
import { ErrorCodes, MemCloudError } from '../errors';
import { globToMatcher } from '../store/glob';
import type { Catalog } from './catalog';
import { validateKey, validateValue } from './data-input';
import type { DataView } from './data-view';
import { FileTransfers } from './file-transfers';
import { KeyedMutex } from './keyed-mutex';
import { evictedError, type OwnerBlocks } from './owner-blocks';
import { isEvicted } from './owner-index';
import { BlockReadStream, BlockWriteStream, type StreamDeps } from './streams';

/** The methods of EngineApi this half serves. */
export type DataApi = Pick<
  EngineApi,
  'store' | 'load' | 'free' | 'set' | 'get' | 'del' | 'keys' | 'openWriteStream' | 'openReadStream' | 'pushFile' | 'pullFile' | 'cancelTransfer' | 'listData' | 'flush'
>;

const NO_OPTIONS: StoreOptions = Object.freeze({});

export interface DataServiceOptions {
  readonly catalog: Catalog;
  readonly blocks: OwnerBlocks;
  readonly view: DataView;
  readonly onProgress: (p: TransferProgress) => void;
  /** Counts an operation (for the stats' rate). */
  readonly onOp: () => void;
  /** Frees whatever of ours the holders keep that the map does not know (after a flush). */
  readonly sweep: () => Promise<void>;
}

export class DataService implements DataApi {
  private readonly keyLocks = new KeyedMutex();
  private readonly files: FileTransfers;
  private readonly catalog: Catalog;
  private readonly blocks: OwnerBlocks;
  private readonly view: DataView;
  private readonly streamDeps: StreamDeps;
  private readonly onOp: () => void;
  private readonly sweep: () => Promise<void>;

  constructor(opts: DataServiceOptions) {
    ({ catalog: this.catalog, blocks: this.blocks, view: this.view, onOp: this.onOp, sweep: this.sweep } = opts);
    this.streamDeps = { blocks: this.blocks, catalog: this.catalog, describe: (r) => this.view.stream(r) };
    this.files = new FileTransfers(
      {
        openWriteStream: (o, onProgress, format) => new BlockWriteStream(this.streamDeps, o, onProgress, format),
        openReadStream: (id, onProgress) => this.readStream(id, onProgress),
      },
      opts.onProgress,
    );
  }

  async store(data: Uint8Array, opts: StoreOptions = {}): Promise<BlockRef> {
    this.onOp();
    validateValue(data);
    const record = await this.blocks.write(data, opts, null);
    await this.catalog.addBlock(record);
    this.blocks.settled(record);
    return this.view.blockRef(record);
  }

  async load(id: string): Promise<Uint8Array> {
    this.onOp();
    const r = this.catalog.blocks.get(id);
    if (!r || r.parent !== null) {
      if (this.catalog.streams.has(id)) throw new MemCloudError(ErrorCodes.NOT_FOUND, `${id} is a pushed stream, not a stored block: use pull`);
      throw new MemCloudError(ErrorCodes.NOT_FOUND, `no stored block ${id} (use pull for a pushed stream, get for a key)`);
    }
    if (isEvicted(r)) throw evictedError(`block ${id}`);
    return this.blocks.read(id);
  }

  /** Frees a stored block or a whole stream, on every holder. */
  async free(id: string): Promise<void> {
    this.onOp();
    const chunks = await this.catalog.deleteStream(id);
    if (chunks) return this.blocks.free(chunks);
    const r = this.catalog.blocks.get(id);
    if (!r || r.parent !== null) throw new MemCloudError(ErrorCodes.NOT_FOUND, `nothing stored with id ${id}`);
    await this.blocks.free(await this.catalog.dropBlocks([id]));
  }

  set(key: string, value: Uint8Array, opts: StoreOptions = NO_OPTIONS): Promise<void> {
    this.onOp();
    try {
      validateKey(key);
      validateValue(value);
    } catch (err) {
      return rejected(err);
    }
    return this.keyLocks.run(key, async () => {
      const oldId = this.catalog.keys.get(key);
      const previous = oldId === undefined ? undefined : this.catalog.blocks.get(oldId);
      const record = await this.blocks.write(value, opts, { kind: 'key', key }, previous);
      const replaced = await this.catalog.setKey(key, record);
      this.blocks.settled(record, replaced);
    });
  }

  get(key: string): Promise<Uint8Array> {
    this.onOp();
    try {
      validateKey(key);
    } catch (err) {
      return rejected(err);
    }
    const id = this.catalog.keys.get(key);
    if (id === undefined) return Promise.reject(new MemCloudError(ErrorCodes.NOT_FOUND, `no key ${JSON.stringify(key)}`));
    const r = this.catalog.blocks.get(id);
    if (r && isEvicted(r)) return Promise.reject(evictedError(`key ${JSON.stringify(key)}`));
    return this.blocks.read(id);
  }

  del(key: string): Promise<boolean> {
    this.onOp();
    try {
      validateKey(key);
    } catch (err) {
      return rejected(err);
    }
    return this.keyLocks.run(key, async () => {
      const record = await this.catalog.deleteKey(key);
      if (!record) return false;
      await this.blocks.free([record]);
      return true;
    });
  }

  async keys(pattern = '*'): Promise<string[]> {
    const match = globToMatcher(pattern);
    // Keys whose value can be read: an evicted one is listed by listData (ls), not here.
    const readable = (id: string): boolean => {
      const r = this.catalog.blocks.get(id);
      return r === undefined || !isEvicted(r);
    };
    return [...this.catalog.keys].filter(([k, id]) => match(k) && readable(id)).map(([k]) => k).sort();
  }

  async openWriteStream(opts: StoreOptions = {}): Promise<WriteStreamHandle> {
    return new BlockWriteStream(this.streamDeps, opts);
  }

  async openReadStream(id: string): Promise<ReadStreamHandle> {
    return this.readStream(id);
  }

  pushFile(path: string, opts: FileTransferOptions = {}): Promise<PushInfo> {
    return this.files.push(path, opts);
  }

  pullFile(id: string, path: string, opts: { readonly transferId?: string } = {}): Promise<StreamInfo> {
    return this.files.pull(id, path, opts);
  }

  async cancelTransfer(transferId: string): Promise<void> {
    this.files.cancel(transferId);
  }

  async listData(): Promise<DataItem[]> {
    return this.view.list();
  }

  /** Frees all of this node's own data, local and on peers; never anyone else's. */
  async flush(): Promise<{ freedItems: number }> {
    const freedItems = this.catalog.keys.size + this.catalog.streams.size + [...this.catalog.blocks.values()].filter((r) => r.parent === null).length;
    await this.blocks.free(await this.catalog.clear());
    await this.sweep();
    return { freedItems };
  }

  private readStream(id: string, onProgress?: (done: number) => void): BlockReadStream {
    const r = this.catalog.streams.get(id);
    if (!r) throw new MemCloudError(ErrorCodes.NOT_FOUND, `no stream ${id}`);
    const evicted = r.chunks.some((c) => {
      const b = this.catalog.blocks.get(c);
      return b !== undefined && isEvicted(b);
    });
    if (evicted) throw evictedError(`stream ${JSON.stringify(r.name)} (${id})`);
    return new BlockReadStream(this.blocks, r, this.view.stream(r), onProgress);
  }
}

/**
 * set, get and del are not async functions (no extra promise per operation on the hot path), so
 * their input checks would throw at the caller; like every other method they reject instead.
 */
function rejected(err: unknown): Promise<never> {
  return Promise.reject(err as Error);
}
