// Node stream adapters over the stream handles: a Writable that stores what is written into the
// pool, a Readable that loads a stream back with backpressure, and a helper that stores any
// readable source. Memory stays bounded by the control socket's window, not the stream's size.

import { Readable, Writable } from 'node:stream';
import type { ReadStreamHandle, WriteStreamHandle } from '../api/engine-api';
import type { StreamInfo } from '../api/types';
import { ErrorCodes, MemCloudError } from '../errors';

const READ_HIGH_WATER = 1024 * 1024;

/** A Writable whose data is stored as one pool stream; `done` resolves with its description. */
export class StoreWriteStream extends Writable {
  /** Resolves with the StreamInfo once everything is stored; rejects if the stream fails or is destroyed. */
  readonly done: Promise<StreamInfo>;
  private handle: WriteStreamHandle | null = null;
  private ended = false;
  private settle!: { resolve: (info: StreamInfo) => void; reject: (err: Error) => void };

  constructor(private readonly open: () => Promise<WriteStreamHandle>) {
    super({ decodeStrings: true });
    this.done = new Promise<StreamInfo>((resolve, reject) => (this.settle = { resolve, reject }));
    // Callers who only listen for 'error' must not get an unhandled rejection as well.
    this.done.catch(() => {});
  }

  override _construct(callback: (err?: Error | null) => void): void {
    this.open().then(
      (h) => {
        this.handle = h;
        callback();
      },
      (err: Error) => callback(err),
    );
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (err?: Error | null) => void): void {
    this.handle!.write(chunk).then(() => callback(), callback);
  }

  override _final(callback: (err?: Error | null) => void): void {
    this.ended = true;
    this.handle!.end().then(
      (info) => {
        this.settle.resolve(info);
        this.emit('info', info);
        callback();
      },
      callback,
    );
  }

  override _destroy(err: Error | null, callback: (err?: Error | null) => void): void {
    this.settle.reject(err ?? new MemCloudError(ErrorCodes.CANCELLED, 'the store stream was destroyed before it finished'));
    const h = this.handle;
    // Destroyed before the end completed: free what was stored (nothing half-stored remains).
    if (h !== null && !(this.ended && this.writableFinished)) {
      h.abort().then(
        () => callback(err),
        () => callback(err),
      );
      return;
    }
    callback(err);
  }
}

/** A Readable over a pool stream; emits 'info' (StreamInfo) once the stream is open. */
export class LoadReadStream extends Readable {
  private handle: ReadStreamHandle | null = null;

  constructor(private readonly open: () => Promise<ReadStreamHandle>) {
    super({ highWaterMark: READ_HIGH_WATER });
  }

  override _construct(callback: (err?: Error | null) => void): void {
    this.open().then(
      (h) => {
        this.handle = h;
        this.emit('info', h.info);
        callback();
      },
      (err: Error) => callback(err),
    );
  }

  override _read(): void {
    this.handle!.read().then(
      (chunk) => this.push(chunk),
      (err: Error) => this.destroy(err),
    );
  }

  override _destroy(err: Error | null, callback: (err?: Error | null) => void): void {
    this.handle?.close();
    callback(err);
  }
}

/** Stores everything `source` yields as one stream; aborts it (nothing left behind) on any failure. */
export async function storeFrom(
  source: AsyncIterable<Uint8Array | string>,
  open: () => Promise<WriteStreamHandle>,
): Promise<StreamInfo> {
  const handle = await open();
  try {
    for await (const chunk of source) {
      if (!(chunk instanceof Uint8Array)) throw new MemCloudError(ErrorCodes.BAD_ARGUMENT, 'storeStream: the source must yield bytes, not strings');
      await handle.write(chunk);
    }
    return await handle.end();
  } catch (err) {
    await handle.abort().catch(() => {});
    throw err;
  }
}
