// One client of the control socket. Every complete request in a socket chunk is decoded and
// dispatched at once; replies may complete in any order and every reply produced in a tick leaves
// in one socket write (FrameWriter). Reading pauses while the client has too many requests in
// flight or is not reading its replies, so a client cannot make the node buffer without bound.

import type { Socket } from 'node:net';
import type { EngineApi } from '../api/engine-api';
import type { EngineEvent, LogEntry } from '../api/types';
import { ErrorCodes, MemCloudError, isMemCloudError } from '../errors';
import { FrameDecoder, type FrameSink } from './frame-decoder';
import { FrameWriter } from './frame-writer';
import { handlers, type HandlerContext } from './handlers';
import {
  decodeClientFrame,
  writeChunk,
  writeEnd,
  writeError,
  writeEvent,
  writeResult,
  writeStreamError,
  type ControlRequest,
} from './messages';
import { OpCodes, type OpArgs, type OpName, type OpResult } from './protocol';
import { ServerStreams } from './server-streams';

export type ControlLog = (level: LogEntry['level'], message: string) => void;

const MAX_IN_FLIGHT = 4096;
/**
 * Requests handed to the engine per event-loop turn. A socket chunk can hold hundreds of small
 * requests; passing them on in slices, with a turn of the loop between slices, lets the first
 * slice travel to peers (and its replies come back) while the next is prepared, instead of every
 * stage waiting for one whole wave.
 */
const DISPATCH_SLICE = 32;
const HIGH_WATER_BYTES = 32 * 1024 * 1024;
const CLOSE_GRACE_MS = 2000;

export class ServerConnection {
  private readonly decoder = new FrameDecoder();
  private readonly out = new FrameWriter((chunks) => this.writeOut(chunks));
  private readonly streams: ServerStreams;
  private readonly ctx: HandlerContext;
  private unsubscribeEvents: (() => void) | null = null;
  private inFlight = 0;
  /** Decoded requests not yet handed to the engine (see DISPATCH_SLICE). */
  private queued: ControlRequest[] = [];
  private queuedHead = 0;
  private sliceScheduled = false;
  private paused = false;
  private closing = false;
  private finished = false;
  private resolveClosed!: () => void;
  /** Resolves once the socket is gone and the client's streams are cleaned up. */
  readonly closed = new Promise<void>((resolve) => (this.resolveClosed = resolve));

  constructor(
    private readonly socket: Socket,
    api: EngineApi,
    private readonly log: ControlLog | undefined,
  ) {
    this.streams = new ServerStreams({
      chunk: (stream, data) => this.send(() => writeChunk(this.out, stream, data)),
      end: (stream) => this.send(() => writeEnd(this.out, stream)),
      error: (stream, err) => this.send(() => writeStreamError(this.out, stream, err)),
    });
    this.ctx = {
      api,
      streams: this.streams,
      subscribe: () => {
        this.unsubscribeEvents ??= api.subscribe((event) => this.onEvent(event));
      },
      unsubscribe: () => this.stopEvents(),
    };
    socket.on('data', this.onData);
    socket.on('drain', () => this.maybeResume());
    socket.on('error', (err) => this.log?.('debug', `control client error: ${err.message}`));
    socket.on('close', () => void this.teardown());
  }

  /** Sends what is pending, then ends the connection; idempotent. */
  close(): Promise<void> {
    if (!this.closing && !this.finished) {
      this.closing = true;
      this.out.flush();
      this.socket.end();
      const t = setTimeout(() => this.socket.destroy(), CLOSE_GRACE_MS);
      t.unref();
      void this.closed.then(() => clearTimeout(t));
    }
    return this.closed;
  }

  private readonly onData = (chunk: Buffer): void => {
    if (this.closing) return;
    try {
      this.decoder.push(chunk, this.onFrame);
    } catch (err) {
      this.fatal(err);
      return;
    }
    if (!this.sliceScheduled) this.dispatchSlice();
    this.maybePause();
  };

  private readonly onFrame: FrameSink = (kind, op, id, body, owned) => {
    const msg = decodeClientFrame(kind, op, id, body, owned);
    switch (msg.kind) {
      case 'request':
        this.queued.push(msg);
        return;
      case 'ack':
        this.streams.ack(msg.stream, msg.bytes);
        return;
      case 'invalid':
        writeError(this.out, msg.id, msg.op, msg.error);
        return;
      default: {
        const unhandled: never = msg;
        throw new MemCloudError(ErrorCodes.INTERNAL, `unhandled message ${String(unhandled)}`);
      }
    }
  };

  /**
   * Hands the engine the next DISPATCH_SLICE queued requests, in arrival order. Requests already
   * received are passed on even if the connection closes meanwhile (as they were before slicing);
   * only their replies are dropped.
   */
  private readonly dispatchSlice = (): void => {
    this.sliceScheduled = false;
    const end = Math.min(this.queued.length, this.queuedHead + DISPATCH_SLICE);
    while (this.queuedHead < end) this.dispatch(this.queued[this.queuedHead++]!);
    if (this.queuedHead < this.queued.length) {
      this.sliceScheduled = true;
      setImmediate(this.dispatchSlice);
      if (this.queuedHead >= 1024) {
        this.queued = this.queued.slice(this.queuedHead); // a steady flow never empties the queue
        this.queuedHead = 0;
      }
    } else {
      this.queued = [];
      this.queuedHead = 0;
    }
    this.maybeResume();
  };

  private dispatch(req: ControlRequest): void {
    this.inFlight++;
    let p: Promise<unknown>;
    try {
      p = Promise.resolve(run(this.ctx, req.op, req.args));
    } catch (err) {
      p = Promise.reject(err);
    }
    p.then(
      (value) => this.onResult(req, value),
      (err: unknown) => this.onError(req, err),
    );
  }

  private onResult(req: ControlRequest, value: unknown): void {
    this.requestDone();
    if (this.closing || this.finished) return;
    try {
      writeResult(this.out, req.id, req.op, value as OpResult<OpName>);
    } catch (err) {
      this.onError(req, err, false);
      return;
    }
    // The stream number is on its way; only now may CHUNK frames for it follow.
    if (req.op === 'openReadStream') this.streams.startRead((value as OpResult<'openReadStream'>).stream);
  }

  private onError(req: ControlRequest, err: unknown, counted = true): void {
    if (counted) this.requestDone();
    if (!isMemCloudError(err)) this.log?.('error', `control ${req.op} failed unexpectedly: ${err instanceof Error ? err.message : String(err)}`);
    if (this.closing || this.finished) return;
    writeError(this.out, req.id, OpCodes[req.op], err);
  }

  private onEvent(event: EngineEvent): void {
    if (this.closing || this.finished) return;
    try {
      writeEvent(this.out, event);
    } catch (err) {
      this.log?.('warn', `control event ${event.type} could not be sent: ${String(err)}`);
    }
  }

  private send(write: () => void): void {
    if (!this.closing && !this.finished) write();
  }

  /** A framing error: tell the client (id 0 = the connection) and hang up. Never throws. */
  private fatal(err: unknown): void {
    const message = err instanceof Error ? err.message : String(err);
    this.log?.('debug', `control client sent a malformed frame: ${message}`);
    if (this.closing || this.finished) return;
    try {
      writeError(this.out, 0, 0, new MemCloudError(ErrorCodes.BAD_REQUEST, message));
    } catch {
      // nothing more to say to this client
    }
    void this.close();
  }

  private writeOut(chunks: Uint8Array[]): void {
    const s = this.socket;
    if (s.destroyed || s.writableEnded) return;
    if (chunks.length === 1) {
      s.write(chunks[0]!);
    } else {
      s.cork();
      for (const c of chunks) s.write(c);
      s.uncork();
    }
    this.maybePause();
  }

  /** Requests received and not yet answered: with the engine, or queued for it. */
  private get pending(): number {
    return this.inFlight + this.queued.length - this.queuedHead;
  }

  private requestDone(): void {
    this.inFlight--;
    this.maybeResume();
  }

  private maybePause(): void {
    if (this.paused || this.finished) return;
    if (this.pending >= MAX_IN_FLIGHT || this.socket.writableLength >= HIGH_WATER_BYTES) {
      this.paused = true;
      this.socket.pause();
    }
  }

  private maybeResume(): void {
    if (!this.paused || this.finished) return;
    if (this.pending < MAX_IN_FLIGHT / 2 && this.socket.writableLength < HIGH_WATER_BYTES) {
      this.paused = false;
      this.socket.resume();
    }
  }

  private stopEvents(): void {
    const unsubscribe = this.unsubscribeEvents;
    this.unsubscribeEvents = null;
    unsubscribe?.();
  }

  private async teardown(): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    this.closing = true;
    this.stopEvents();
    await this.streams.closeAll();
    this.resolveClosed();
  }
}

function run<O extends OpName>(ctx: HandlerContext, op: O, args: OpArgs<O>): Promise<OpResult<O>> | OpResult<O> {
  return handlers[op](ctx, args);
}
