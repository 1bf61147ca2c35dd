// The streams one control connection has open, with their flow control (docs/protocol.md
// section 10.4).
// Write streams: chunks reach the engine handle strictly in order; each streamWrite request is
// answered once handle.write() resolved, which is the client's acknowledgement; a client may have
// at most MAX_STREAM_WINDOW bytes unanswered. Read streams: the server reads ahead while fewer than
// `window` bytes are unacknowledged, and resumes as ACK frames arrive. When the connection goes,
// write streams are aborted (nothing half-stored) and read streams closed.

import { IdAllocator } from '../wire/pending-requests';
import type { ReadStreamHandle, WriteStreamHandle } from '../api/engine-api';
import type { StreamInfo } from '../api/types';
import { ErrorCodes, MemCloudError, toMemCloudError } from '../errors';
import { MAX_STREAM_WINDOW, STREAM_FRAME_DATA } from './protocol';

export interface StreamSender {
  chunk(stream: number, data: Uint8Array): void;
  end(stream: number): void;
  error(stream: number, err: unknown): void;
}

interface WriteEntry {
  readonly handle: WriteStreamHandle;
  chain: Promise<void>;
  queued: number;
  failed: MemCloudError | null;
  ending: boolean;
  aborted: boolean;
}

interface ReadEntry {
  readonly handle: ReadStreamHandle;
  readonly window: number;
  unacked: number;
  /** What the window had no room for yet of the chunk last read: sent, in order, before any other. */
  rest: Uint8Array | null;
  started: boolean;
  pumping: boolean;
  closed: boolean;
}

const MAX_OPEN_STREAMS = 1024;
const ignore = (): void => {};

export class ServerStreams {
  /** Stream numbers: u32, wrapping, never one still open (after 2^32 - 1 streams on one connection). */
  private readonly ids = new IdAllocator();
  private readonly inUse = (n: number): boolean => this.writes.has(n) || this.reads.has(n);
  private readonly writes = new Map<number, WriteEntry>();
  private readonly reads = new Map<number, ReadEntry>();
  private closed = false;

  constructor(private readonly send: StreamSender) {}

  get openCount(): number {
    return this.writes.size + this.reads.size;
  }

  addWrite(handle: WriteStreamHandle): number {
    this.requireStreamRoom(() => handle.abort());
    const id = this.allocate();
    this.writes.set(id, { handle, chain: Promise.resolve(), queued: 0, failed: null, ending: false, aborted: false });
    return id;
  }

  write(stream: number, chunk: Uint8Array): Promise<void> {
    const s = this.writeEntry(stream);
    if (s.failed) return Promise.reject(s.failed);
    if (s.ending) return Promise.reject(badRequest(`write stream ${stream} is ending`));
    s.queued += chunk.length;
    if (s.queued > MAX_STREAM_WINDOW) {
      this.fail(stream, s, badRequest(`write stream ${stream}: more than ${MAX_STREAM_WINDOW} unacknowledged bytes`));
      return Promise.reject(s.failed);
    }
    const p = s.chain
      .then(() => {
        if (s.failed) throw s.failed;
        return s.handle.write(chunk);
      })
      .then(() => {
        if (s.failed) throw s.failed; // aborted meanwhile: this chunk is not stored either
      });
    s.chain = p.then(
      () => void (s.queued -= chunk.length),
      (err: unknown) => this.fail(stream, s, err),
    );
    return p;
  }

  end(stream: number): Promise<StreamInfo> {
    const s = this.writeEntry(stream);
    if (s.ending) return Promise.reject(badRequest(`write stream ${stream} is already ending`));
    s.ending = true;
    const p = s.chain.then(() => {
      if (s.failed) throw s.failed;
      return s.handle.end();
    });
    s.chain = p.then(
      () => void this.writes.delete(stream),
      (err: unknown) => this.fail(stream, s, err),
    );
    return p;
  }

  /** Idempotent: aborting a stream that already failed or ended is not an error. */
  abort(stream: number): Promise<void> {
    const s = this.writes.get(stream);
    if (s === undefined) return Promise.resolve();
    s.failed ??= new MemCloudError(ErrorCodes.CANCELLED, `write stream ${stream} aborted`);
    this.writes.delete(stream);
    return this.abortHandle(s);
  }

  addRead(handle: ReadStreamHandle, window: number): number {
    if (!Number.isInteger(window) || window < 1 || window > MAX_STREAM_WINDOW) {
      handle.close();
      throw badRequest(`read window must be an integer in 1..${MAX_STREAM_WINDOW}`);
    }
    this.requireStreamRoom(() => handle.close());
    const id = this.allocate();
    this.reads.set(id, { handle, window, unacked: 0, rest: null, started: false, pumping: false, closed: false });
    return id;
  }

  /** Called once the reply carrying the stream number is queued, so no CHUNK can precede it. */
  startRead(stream: number): void {
    const s = this.reads.get(stream);
    if (s === undefined || s.started) return;
    s.started = true;
    void this.pump(stream, s);
  }

  /** Throws BAD_REQUEST (fatal) when more is acknowledged than was sent. */
  ack(stream: number, bytes: number): void {
    const s = this.reads.get(stream);
    if (s === undefined) return; // it ended or was closed while the ACK was in flight
    if (bytes > s.unacked) throw badRequest(`read stream ${stream}: ACK of ${bytes} bytes, only ${s.unacked} unacknowledged`);
    s.unacked -= bytes;
    void this.pump(stream, s);
  }

  closeRead(stream: number): void {
    const s = this.reads.get(stream);
    if (s !== undefined) this.dropRead(stream, s);
  }

  /** The connection is gone: abort every write stream, close every read stream. */
  async closeAll(): Promise<void> {
    this.closed = true;
    const aborts: Promise<void>[] = [];
    for (const [id, s] of this.writes) {
      s.failed ??= new MemCloudError(ErrorCodes.CHANNEL_CLOSED, `write stream ${id}: client disconnected`);
      aborts.push(this.abortHandle(s));
    }
    this.writes.clear();
    for (const [id, s] of this.reads) this.dropRead(id, s);
    await Promise.allSettled(aborts);
  }

  private async pump(stream: number, s: ReadEntry): Promise<void> {
    if (s.pumping || s.closed || !s.started) return;
    s.pumping = true;
    try {
      // Never more than the window unacknowledged (docs/protocol.md 10.4): a chunk the window has
      // no room for goes out in part, the rest once the client acknowledges.
      while (!s.closed && s.unacked < s.window) {
        let chunk = s.rest;
        s.rest = null;
        if (chunk === null) {
          chunk = await s.handle.read();
          if (s.closed) return;
          if (chunk === null) {
            this.send.end(stream);
            this.dropRead(stream, s);
            return;
          }
        }
        const room = s.window - s.unacked;
        if (chunk.length > room) {
          s.rest = chunk.subarray(room);
          chunk = chunk.subarray(0, room);
        }
        for (let off = 0; off < chunk.length; off += STREAM_FRAME_DATA) {
          this.send.chunk(stream, chunk.subarray(off, Math.min(chunk.length, off + STREAM_FRAME_DATA)));
        }
        s.unacked += chunk.length;
      }
    } catch (err) {
      if (!s.closed) {
        this.send.error(stream, err);
        this.dropRead(stream, s);
      }
    } finally {
      s.pumping = false;
    }
  }

  private fail(stream: number, s: WriteEntry, err: unknown): void {
    if (this.writes.get(stream) === s) this.writes.delete(stream);
    if (s.failed === null) s.failed = toMemCloudError(err);
    void this.abortHandle(s);
  }

  private abortHandle(s: WriteEntry): Promise<void> {
    if (s.aborted) return Promise.resolve();
    s.aborted = true;
    try {
      return s.handle.abort().catch(ignore);
    } catch {
      return Promise.resolve();
    }
  }

  private dropRead(stream: number, s: ReadEntry): void {
    if (s.closed) return;
    s.closed = true;
    s.rest = null;
    this.reads.delete(stream);
    try {
      s.handle.close();
    } catch {
      // a handle that fails to close has nothing more to give us
    }
  }

  private writeEntry(stream: number): WriteEntry {
    const s = this.writes.get(stream);
    if (s === undefined) throw badRequest(`no open write stream ${stream}`);
    return s;
  }

  private requireStreamRoom(release: () => unknown): void {
    if (!this.closed && this.openCount < MAX_OPEN_STREAMS) return;
    try {
      void Promise.resolve(release()).catch(ignore);
    } catch {
      // releasing is best effort; the refusal below is what the client sees
    }
    if (this.closed) throw new MemCloudError(ErrorCodes.CHANNEL_CLOSED, 'the client disconnected');
    throw badRequest(`more than ${MAX_OPEN_STREAMS} open streams on one connection`);
  }

  private allocate(): number {
    return this.ids.allocate(this.inUse);
  }
}

function badRequest(message: string): MemCloudError {
  return new MemCloudError(ErrorCodes.BAD_REQUEST, message);
}
