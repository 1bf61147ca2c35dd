// Stream handles over the control socket (docs/protocol.md section 10.4).
// Writing: at most `window` bytes are sent and not yet acknowledged (each streamWrite reply is the
// acknowledgement); write() resolves once its bytes are sent. Reading: the server sends ahead up to
// the window; the client acknowledges each chunk as it hands it to the consumer, so memory stays
// bounded by the window whatever the stream's size.

import type { ReadStreamHandle, WriteStreamHandle } from '../api/engine-api';
import type { StreamInfo } from '../api/types';
import { ErrorCodes, MemCloudError, isMemCloudError } from '../errors';
import { STREAM_FRAME_DATA } from '../control/protocol';
import type { ClientConnection, ReadStreamSink } from './client-connection';

/** Chunks up to this size are copied into the outgoing frame (see FrameWriter); larger ones are referenced. */
const COPIED_BY_WRITER = 64 * 1024;

interface RoomWaiter {
  readonly bytes: number;
  readonly resolve: () => void;
  readonly reject: (err: MemCloudError) => void;
}

export class ClientWriteStream implements WriteStreamHandle {
  private unacked = 0;
  private waiter: RoomWaiter | null = null;
  private failed: MemCloudError | null = null;
  private finished = false;
  /** write() calls run one after another, so chunks keep their order. */
  private tail: Promise<void> = Promise.resolve();

  constructor(
    private readonly conn: ClientConnection,
    private readonly stream: number,
    readonly id: string,
    private readonly window: number,
  ) {}

  write(chunk: Uint8Array): Promise<void> {
    if (!(chunk instanceof Uint8Array)) return Promise.reject(new MemCloudError(ErrorCodes.BAD_ARGUMENT, 'chunk must be a Uint8Array'));
    if (this.finished) return Promise.reject(this.failed ?? new MemCloudError(ErrorCodes.BAD_ARGUMENT, 'write after end()'));
    const p = this.tail.then(() => this.send(chunk));
    this.tail = p.catch(() => {});
    return p;
  }

  async end(): Promise<StreamInfo> {
    if (this.finished) throw this.failed ?? new MemCloudError(ErrorCodes.BAD_ARGUMENT, 'end() called twice');
    this.finished = true;
    await this.tail;
    if (this.failed) throw this.failed;
    return this.conn.call('streamEnd', [this.stream]);
  }

  async abort(): Promise<void> {
    this.finished = true;
    this.fail(new MemCloudError(ErrorCodes.CANCELLED, `write stream ${this.id} aborted`));
    try {
      await this.conn.call('streamAbort', [this.stream]);
    } catch (err) {
      // A closed connection aborts the stream on the server anyway.
      if (!isMemCloudError(err, ErrorCodes.CHANNEL_CLOSED)) throw err;
    }
  }

  private async send(data: Uint8Array): Promise<void> {
    for (let off = 0; off < data.length; off += STREAM_FRAME_DATA) {
      const part = data.subarray(off, Math.min(data.length, off + STREAM_FRAME_DATA));
      await this.room(part.length);
      this.unacked += part.length;
      this.conn.call('streamWrite', [this.stream, part]).then(
        () => this.acked(part.length),
        (err: MemCloudError) => this.fail(err),
      );
    }
    // Large chunks travel by reference, not copied: the caller may reuse its buffer once
    // write() resolves, so that waits until they have left for the OS.
    if (data.length > COPIED_BY_WRITER) await this.conn.written();
  }

  private room(bytes: number): Promise<void> {
    if (this.failed) return Promise.reject(this.failed);
    if (this.unacked === 0 || this.unacked + bytes <= this.window) return Promise.resolve();
    return new Promise((resolve, reject) => (this.waiter = { bytes, resolve, reject }));
  }

  private acked(bytes: number): void {
    this.unacked -= bytes;
    const w = this.waiter;
    if (w && (this.unacked === 0 || this.unacked + w.bytes <= this.window)) {
      this.waiter = null;
      w.resolve();
    }
  }

  private fail(err: MemCloudError): void {
    this.failed ??= err;
    const w = this.waiter;
    this.waiter = null;
    w?.reject(this.failed);
  }
}

export class ClientReadStream implements ReadStreamHandle, ReadStreamSink {
  private queue: Uint8Array[] = [];
  private ended = false;
  private error: MemCloudError | null = null;
  private closed = false;
  private waiter: { resolve: (c: Uint8Array | null) => void; reject: (e: MemCloudError) => void } | null = null;

  constructor(
    private readonly conn: ClientConnection,
    private readonly stream: number,
    readonly info: StreamInfo,
  ) {
    conn.addReadStream(stream, this);
  }

  read(): Promise<Uint8Array | null> {
    if (this.waiter) return Promise.reject(new MemCloudError(ErrorCodes.BAD_ARGUMENT, 'read() while another read() is pending'));
    const next = this.queue.shift();
    if (next !== undefined) return Promise.resolve(this.consumed(next));
    if (this.error) return Promise.reject(this.error);
    if (this.ended || this.closed) return Promise.resolve(null);
    return new Promise((resolve, reject) => (this.waiter = { resolve, reject }));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.queue = [];
    this.conn.removeReadStream(this.stream);
    if (!this.ended && this.error === null) this.conn.call('streamClose', [this.stream]).catch(() => {});
    this.settle((w) => w.resolve(null));
  }

  onChunk(data: Uint8Array): void {
    if (this.closed) return;
    if (this.waiter) this.settle((w) => w.resolve(this.consumed(data)));
    else this.queue.push(data);
  }

  onEnd(): void {
    this.ended = true;
    if (this.queue.length === 0) this.settle((w) => w.resolve(null));
  }

  onError(err: MemCloudError): void {
    if (this.ended || this.closed) return;
    this.error = err;
    this.queue = [];
    this.settle((w) => w.reject(err));
  }

  private consumed(chunk: Uint8Array): Uint8Array {
    this.conn.ack(this.stream, chunk.length);
    return chunk;
  }

  private settle(f: (w: NonNullable<ClientReadStream['waiter']>) => void): void {
    const w = this.waiter;
    this.waiter = null;
    if (w) f(w);
  }
}
