// Streams of any size, stored as 1 MiB blocks with a bounded window: memory on every node grows
// with the window, never with the stream. Each chunk is in the catalog once its replicas are
// written; the stream itself is committed at end(), so a stream half-written when the node dies is
// never listed, and its chunks are freed. A stream's digest is the SHA-256 of its chunks' SHA-256
// digests in order (the chunks themselves are checked by their seals, block-seal.ts).

import { createHash, randomBytes } from 'node:crypto';
import type { ReadStreamHandle, WriteStreamHandle } from '../api/engine-api';
import type { StoreOptions, StreamInfo } from '../api/types';
import { ErrorCodes, MemCloudError, toMemCloudError } from '../errors';
import type { Catalog } from './catalog';
import { contentHash, type OwnerBlocks } from './owner-blocks';
import type { BlockRecord, StreamRecord } from './owner-index';

export const CHUNK_BYTES = 1024 * 1024;
export const WRITE_WINDOW_BYTES = 8 * CHUNK_BYTES;
export const READ_PREFETCH_CHUNKS = 6;

export interface StreamDeps {
  readonly blocks: OwnerBlocks;
  readonly catalog: Catalog;
  /** The API's description of a committed stream (with where its chunks are). */
  readonly describe: (record: StreamRecord) => StreamInfo;
}

export class BlockWriteStream implements WriteStreamHandle {
  readonly id = randomBytes(16).toString('hex');
  private buffer: Buffer | null = null;
  private fill = 0;
  private size = 0;
  private readonly chunks: Array<BlockRecord | null> = [];
  /** SHA-256 of each chunk's content (hex), for the stream's digest. */
  private readonly chunkDigests: string[] = [];
  private inflightBytes = 0;
  private readonly inflight = new Set<Promise<void>>();
  private windowWaiters: Array<() => void> = [];
  private failure: MemCloudError | null = null;
  private state: 'open' | 'ending' | 'done' | 'aborted' = 'open';

  constructor(
    private readonly deps: StreamDeps,
    private readonly opts: StoreOptions,
    private readonly onProgress?: (doneBytes: number) => void,
    private readonly format: 'file' | 'folder' = 'file',
  ) {}

  /**
   * Resolves once the chunk is buffered and the window has room again. Whole blocks of `chunk`
   * are stored as they are, without a copy: the engine's callers (the control socket, file reads)
   * hand over buffers they never touch again.
   */
  async write(chunk: Uint8Array): Promise<void> {
    this.assertOpen();
    let offset = 0;
    while (this.fill === 0 && chunk.length - offset >= CHUNK_BYTES) {
      this.submit(chunk.subarray(offset, offset + CHUNK_BYTES));
      offset += CHUNK_BYTES;
    }
    while (offset < chunk.length) {
      this.buffer ??= Buffer.allocUnsafe(CHUNK_BYTES);
      const take = Math.min(CHUNK_BYTES - this.fill, chunk.length - offset);
      this.buffer.set(chunk.subarray(offset, offset + take), this.fill);
      this.fill += take;
      offset += take;
      if (this.fill === CHUNK_BYTES) this.submit(this.buffer);
    }
    while (this.inflightBytes >= WRITE_WINDOW_BYTES && !this.failure) await new Promise<void>((r) => this.windowWaiters.push(r));
    if (this.failure) throw this.failure;
  }

  async end(): Promise<StreamInfo> {
    this.assertOpen();
    this.state = 'ending';
    if (this.fill > 0) this.submit(Buffer.from(this.buffer!.subarray(0, this.fill)));
    this.buffer = null;
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
    if (this.failure) {
      await this.release();
      throw this.failure;
    }
    const digest = createHash('sha256');
    for (const d of this.chunkDigests) digest.update(d, 'hex');
    const record: StreamRecord = {
      id: this.id,
      name: this.opts.name ?? `stream ${this.id.slice(0, 8)}`,
      size: this.size,
      chunks: this.chunks.map((c) => c!.id),
      digest: digest.digest('hex'),
      format: this.format,
      durability: this.opts.durability ?? 'pinned',
      createdAt: Date.now(),
    };
    try {
      await this.deps.catalog.commitStream(record);
    } catch (err) {
      await this.release();
      throw err;
    }
    this.state = 'done';
    return this.deps.describe(record);
  }

  /**
   * Frees every chunk stored so far; nothing is left on any peer. Resolves once the frees were
   * answered; chunks still being written are freed when their writes settle. Idempotent: a second
   * call returns at once (so a cancel that started the abort ends a push without waiting for a
   * frozen holder's answer).
   */
  async abort(): Promise<void> {
    if (this.state === 'done' || this.state === 'aborted') return;
    this.state = 'aborted';
    this.failure ??= new MemCloudError(ErrorCodes.CANCELLED, 'the stream was aborted');
    this.buffer = null;
    this.wakeWriters();
    await this.release();
  }

  private submit(data: Uint8Array): void {
    const index = this.chunks.length;
    this.chunks.push(null);
    this.size += data.length;
    this.inflightBytes += data.length;
    this.buffer = null;
    this.fill = 0;
    const p = this.storeChunk(data, index)
      .catch((err: unknown) => {
        this.failure ??= toMemCloudError(err);
      })
      .finally(() => {
        this.inflightBytes -= data.length;
        this.inflight.delete(p);
        this.onProgress?.(this.size - this.inflightBytes);
        this.wakeWriters();
      });
    this.inflight.add(p);
  }

  private async storeChunk(data: Uint8Array, index: number): Promise<void> {
    const { blocks, catalog } = this.deps;
    // Blocks are checked by their seal; the content hash is only for the stream's digest.
    this.chunkDigests[index] = contentHash(data);
    const record = await blocks.write(data, this.opts, { kind: 'stream', id: this.id, index });
    if (this.aborted) {
      catalog.discard(record.id);
      await blocks.free([record]);
      return;
    }
    await catalog.addBlock(record);
    if (this.aborted) {
      await blocks.free(await catalog.dropBlocks([record.id]));
      return;
    }
    this.chunks[index] = record;
    blocks.settled(record);
  }

  /** Drops and frees the chunks stored so far. */
  private async release(): Promise<void> {
    const stored = this.chunks.filter((c): c is BlockRecord => c !== null).map((c) => c.id);
    this.chunks.length = 0;
    const dropped = await this.deps.catalog.dropBlocks(stored);
    await this.deps.blocks.free(dropped);
  }

  /** A getter, so each check reads the state anew across awaits. */
  private get aborted(): boolean {
    return this.state === 'aborted';
  }

  private wakeWriters(): void {
    const w = this.windowWaiters;
    this.windowWaiters = [];
    for (const f of w) f();
  }

  private assertOpen(): void {
    if (this.failure) throw this.failure;
    if (this.state !== 'open') throw new MemCloudError(ErrorCodes.BAD_REQUEST, `the stream is ${this.state}`);
  }
}

export class BlockReadStream implements ReadStreamHandle {
  private next = 0;
  private readonly ahead: Array<Promise<Uint8Array>> = [];
  private closed = false;

  constructor(
    private readonly blocks: OwnerBlocks,
    private readonly record: StreamRecord,
    readonly info: StreamInfo,
    private readonly onProgress?: (doneBytes: number) => void,
  ) {}

  async read(): Promise<Uint8Array | null> {
    if (this.closed) throw new MemCloudError(ErrorCodes.CANCELLED, 'the stream was closed');
    while (this.ahead.length < READ_PREFETCH_CHUNKS && this.next + this.ahead.length < this.record.chunks.length) {
      const p = this.blocks.read(this.record.chunks[this.next + this.ahead.length]!);
      p.catch(() => undefined); // surfaced when this chunk's turn comes
      this.ahead.push(p);
    }
    const head = this.ahead.shift();
    if (!head) return null;
    const data = await head;
    this.next++;
    this.onProgress?.(Math.min(this.record.size, this.next * CHUNK_BYTES));
    return data;
  }

  close(): void {
    this.closed = true;
    this.ahead.length = 0;
  }
}
