// The client end of the control socket: pipelined requests with u32 ids (replies may come back
// in any order), every request issued in one tick sent in one socket write, server-pushed events
// and read-stream frames routed to their owners.

import { connect, type Socket } from 'node:net';
import type { EngineEvent } from '../api/types';
import { ErrorCodes, MemCloudError, toMemCloudError } from '../errors';
import { errnoCode } from '../home/fs-errors';
import { pooledCopier } from '../control/byte-copies';
import { checkServerSocket } from '../control/server-check';
import { FrameDecoder, type FrameSink } from '../control/frame-decoder';
import { FrameWriter } from '../control/frame-writer';
import { decodeServerFrame, writeAck, writeRequest } from '../control/messages';
import type { OpArgs, OpName, OpResult } from '../control/protocol';
import { PendingRequests, type Settled } from '../wire/pending-requests';

const EMPTY = new Uint8Array(0);

/** Receives the frames of one read stream. */
export interface ReadStreamSink {
  onChunk(data: Uint8Array): void;
  onEnd(): void;
  onError(err: MemCloudError): void;
}

/** A request unanswered this long fails with TIMEOUT: the node is hung (MemCloud options.requestTimeoutMs). */
export const DEFAULT_REQUEST_TIMEOUT_MS = 5 * 60_000;
/** Ops that run as long as their data needs; the node bounds each of their steps (holder deadlines, cancel). */
const LONG_OPS: ReadonlySet<OpName> = new Set<OpName>(['pushFile', 'pullFile', 'flush']);
const LONG_OP_TIMEOUT_MS = 24 * 60 * 60_000;

export class ClientConnection {
  private readonly decoder = new FrameDecoder();
  private readonly copy = pooledCopier();
  private readonly out = new FrameWriter((chunks) => this.writeOut(chunks));
  private readonly pending = new PendingRequests<OpName, unknown>({
    timeoutError: (op, ms) => new MemCloudError(ErrorCodes.TIMEOUT, `the MemCloud node did not answer ${op} within ${Math.round(ms / 1000)} s`),
  });
  private readonly readStreams = new Map<number, ReadStreamSink>();
  private readonly eventListeners = new Set<(event: EngineEvent) => void>();
  private readonly closeListeners = new Set<(err: MemCloudError | null) => void>();
  /** Waiting for the frames queued so far to be handed to the OS (see written()). */
  private writeWaiters: Array<() => void> = [];
  private closedWith: MemCloudError | null | undefined = undefined;
  private resolveClosed!: () => void;
  private readonly socketClosed = new Promise<void>((resolve) => (this.resolveClosed = resolve));

  private constructor(
    private readonly socket: Socket,
    private readonly requestTimeoutMs: number,
  ) {
    socket.on('data', this.onData);
    socket.on('error', (err) => this.finish(new MemCloudError(ErrorCodes.CHANNEL_CLOSED, `control connection failed: ${err.message}`)));
    socket.on('close', () => {
      this.finish(new MemCloudError(ErrorCodes.CHANNEL_CLOSED, 'the connection to the MemCloud node closed'));
      this.resolveClosed();
    });
  }

  /**
   * NODE_NOT_RUNNING when nothing listens on `path`; HOME_UNUSABLE when what is there was not made
   * by a node of this user (server-check.ts), checked before connecting; TIMEOUT after `timeoutMs`.
   */
  static async open(path: string, timeoutMs: number, requestTimeoutMs = DEFAULT_REQUEST_TIMEOUT_MS): Promise<ClientConnection> {
    await checkServerSocket(path);
    return new Promise((resolve, reject) => {
      const socket = connect(path);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new MemCloudError(ErrorCodes.TIMEOUT, `no answer from the MemCloud node on ${path} within ${timeoutMs} ms`));
      }, timeoutMs);
      timer.unref();
      socket.once('error', (err) => {
        clearTimeout(timer);
        const code = errnoCode(err);
        if (code === 'ENOENT' || code === 'ECONNREFUSED') {
          reject(new MemCloudError(ErrorCodes.NODE_NOT_RUNNING, `no MemCloud node is running (nothing listens on ${path})`));
        } else {
          reject(new MemCloudError(ErrorCodes.CONNECT_FAILED, `cannot reach the MemCloud node on ${path}: ${code ?? err.message}`));
        }
      });
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(new ClientConnection(socket, requestTimeoutMs));
      });
    });
  }

  get closed(): boolean {
    return this.closedWith !== undefined;
  }

  call<O extends OpName>(op: O, args: OpArgs<O>): Promise<OpResult<O>> {
    if (this.closedWith !== undefined) return Promise.reject(this.closedError());
    const deadline = LONG_OPS.has(op) ? Math.max(this.requestTimeoutMs, LONG_OP_TIMEOUT_MS) : this.requestTimeoutMs;
    const send = (id: number): void => {
      try {
        writeRequest(this.out, id, op, args);
      } catch (err) {
        throw toMemCloudError(err, ErrorCodes.BAD_ARGUMENT);
      }
    };
    return this.pending.request(op, deadline, send) as Promise<OpResult<O>>;
  }

  /**
   * Resolves once every frame queued so far has been handed to the OS, so the bytes they reference
   * (payloads over 64 KiB are not copied) may be reused. Also resolves when the connection ends.
   */
  written(): Promise<void> {
    if (this.closedWith !== undefined) return Promise.resolve();
    return new Promise((resolve) => {
      if (!this.out.empty) {
        this.writeWaiters.push(resolve); // answered by the write that flushes those frames
      } else if (this.socket.writableLength === 0 || this.socket.destroyed || this.socket.writableEnded) {
        resolve();
      } else {
        this.socket.write(EMPTY, () => resolve()); // queued behind the earlier writes
      }
    });
  }

  /** Tells the server `bytes` of a read stream were consumed. */
  ack(stream: number, bytes: number): void {
    if (this.closedWith === undefined && bytes > 0) writeAck(this.out, stream, bytes);
  }

  addReadStream(stream: number, sink: ReadStreamSink): void {
    if (this.closedWith !== undefined) sink.onError(this.closedError());
    else this.readStreams.set(stream, sink);
  }

  removeReadStream(stream: number): void {
    this.readStreams.delete(stream);
  }

  onEvent(listener: (event: EngineEvent) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  onClose(listener: (err: MemCloudError | null) => void): () => void {
    if (this.closedWith !== undefined) {
      const err = this.closedWith;
      queueMicrotask(() => listener(err));
      return () => {};
    }
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  /** Sends what is queued, then closes; pending requests fail with CHANNEL_CLOSED. Idempotent. */
  close(): Promise<void> {
    if (this.closedWith === undefined) {
      this.out.flush();
      this.finish(null);
      this.socket.end();
      const t = setTimeout(() => this.socket.destroy(), 2000);
      t.unref();
      void this.socketClosed.then(() => clearTimeout(t));
    }
    return this.socketClosed;
  }

  private readonly onData = (chunk: Buffer): void => {
    if (this.closedWith !== undefined) return;
    try {
      this.decoder.push(chunk, this.onFrame);
    } catch (err) {
      this.finish(toMemCloudError(err, ErrorCodes.FRAME_MALFORMED));
      this.socket.destroy();
    }
  };

  private readonly onFrame: FrameSink = (kind, op, id, body, owned) => {
    const msg = decodeServerFrame(kind, op, id, body, owned, this.copy);
    switch (msg.kind) {
      case 'result': {
        const p = this.take(msg.id);
        if (p === null) return;
        if (p.meta === msg.result.op) p.resolve(msg.result.value);
        else p.reject(new MemCloudError(ErrorCodes.FRAME_MALFORMED, `reply for ${msg.result.op} to a ${p.meta} request`));
        return;
      }
      case 'error':
        if (msg.id === 0) throw msg.error; // the server is closing this connection: why
        this.take(msg.id)?.reject(msg.error);
        return;
      case 'event':
        for (const listener of this.eventListeners) {
          try {
            listener(msg.event);
          } catch {
            // one listener's failure must not cost the others their events or the connection
          }
        }
        return;
      case 'unknown-event':
        return;
      case 'chunk':
        this.readStreams.get(msg.stream)?.onChunk(msg.data);
        return;
      case 'end': {
        const sink = this.readStreams.get(msg.stream);
        this.readStreams.delete(msg.stream);
        sink?.onEnd();
        return;
      }
      case 'stream-error': {
        const sink = this.readStreams.get(msg.stream);
        this.readStreams.delete(msg.stream);
        sink?.onError(msg.error);
        return;
      }
      default: {
        const unhandled: never = msg;
        throw new MemCloudError(ErrorCodes.INTERNAL, `unhandled message ${String(unhandled)}`);
      }
    }
  };

  /** The request a reply answers; null for a reply to one that timed out (dropped). */
  private take(id: number): Extract<Settled<OpName, unknown>, { kind: 'pending' }> | null {
    const p = this.pending.settle(id);
    if (p.kind === 'late') return null;
    if (p.kind === 'unknown') throw new MemCloudError(ErrorCodes.FRAME_MALFORMED, `reply to unknown request ${id}`);
    return p;
  }

  private writeOut(chunks: Uint8Array[]): void {
    const s = this.socket;
    const waiters = this.writeWaiters;
    if (waiters.length > 0) this.writeWaiters = [];
    if (s.destroyed || s.writableEnded) {
      for (const w of waiters) w();
      return;
    }
    // The last write's callback runs once it (and so every write before it) has left.
    const last = chunks.length - 1;
    const done = waiters.length === 0 ? undefined : () => waiters.forEach((w) => w());
    if (last === 0) {
      s.write(chunks[0]!, done);
    } else {
      s.cork();
      for (let i = 0; i < last; i++) s.write(chunks[i]!);
      s.write(chunks[last]!, done);
      s.uncork();
    }
  }

  private closedError(): MemCloudError {
    return this.closedWith ?? new MemCloudError(ErrorCodes.CHANNEL_CLOSED, 'the MemCloud client is closed');
  }

  /** `err` null: closed by us. Fails everything outstanding; idempotent. */
  private finish(err: MemCloudError | null): void {
    if (this.closedWith !== undefined) return;
    this.closedWith = err;
    const failure = this.closedError();
    this.pending.close(failure);
    const streams = [...this.readStreams.values()];
    this.readStreams.clear();
    for (const s of streams) s.onError(failure);
    const listeners = [...this.closeListeners];
    this.closeListeners.clear();
    for (const l of listeners) l(err);
    const waiters = this.writeWaiters;
    this.writeWaiters = [];
    for (const w of waiters) w();
  }
}
