// One TCP (or in-memory duplex) connection at the frame level: the preamble, then frames.
// The handshake reads frames from it first; the secure channel takes it over afterwards, with any
// frames that arrived early (queued here, never lost or reordered).

import type { Duplex } from 'node:stream';
import { ErrorCodes, MemCloudError, stacklessError, toMemCloudError } from '../errors';
import { ABORT_GENERIC, FrameType, PREAMBLE_LENGTH, PREAMBLE_MAGIC, PROTOCOL_VERSION, type FrameTypeValue } from './constants';
import { FrameDecoder, encodeFrameHeader } from './framing';
import type { SealedRecord } from '../crypto/record-crypto';

export type FrameListener = (type: FrameTypeValue, body: Buffer) => void;
export type CloseListener = (err: MemCloudError | null) => void;

export function encodePreamble(version = PROTOCOL_VERSION, flags = 0): Buffer {
  const b = Buffer.alloc(PREAMBLE_LENGTH);
  b.set(PREAMBLE_MAGIC, 0);
  b.writeUInt16BE(version, 4);
  b.writeUInt16BE(flags, 6);
  return b;
}

export class WireConnection {
  readonly socket: Duplex;
  readonly remoteAddress: string;
  private readonly decoder = new FrameDecoder();
  private preambleNeeded: number;
  private preambleBytes: Buffer | null;
  private preambleWaiter: ((b: Buffer) => void) | null = null;
  private preambleListener: ((b: Buffer) => void) | null = null;
  private queued: Array<[FrameTypeValue, Buffer]> = [];
  private listener: FrameListener | null = null;
  private closeListeners: CloseListener[] = [];
  private closedWith: MemCloudError | null | undefined = undefined;

  constructor(socket: Duplex, opts: { expectPreamble: boolean; remoteAddress?: string }) {
    this.socket = socket;
    this.remoteAddress = opts.remoteAddress ?? 'unknown';
    this.preambleNeeded = opts.expectPreamble ? PREAMBLE_LENGTH : 0;
    this.preambleBytes = opts.expectPreamble ? Buffer.alloc(0) : null;
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    // Checked before an error is built: a connection we closed ourselves still sees 'close'. Built
    // without a stack: one captured in a socket event says nothing (it is the event loop's) and
    // costs tens of microseconds per connection.
    socket.on('error', (err: Error) => {
      if (!this.closed) this.finish(stacklessError(ErrorCodes.CHANNEL_CLOSED, `connection error: ${err.message}`));
    });
    socket.on('close', () => {
      if (!this.closed) this.finish(stacklessError(ErrorCodes.CHANNEL_CLOSED, 'connection closed by peer'));
    });
    // end() on a stream already ended builds a Node error (with its stack) for nothing: checked first.
    socket.on('end', () => endOnce(socket));
  }

  get closed(): boolean {
    return this.closedWith !== undefined;
  }

  /** Responder side: resolves with the 8 preamble bytes (validated magic). */
  readPreamble(): Promise<Buffer> {
    return new Promise((resolve) => {
      if (this.preambleNeeded === 0 && this.preambleBytes) resolve(this.preambleBytes);
      else this.preambleWaiter = resolve;
    });
  }

  /** Called with the preamble as soon as it is in, before any later byte is decoded (its flags may set limits). */
  onPreamble(listener: (preamble: Buffer) => void): void {
    this.preambleListener = listener;
  }

  /**
   * The largest frame body accepted from now on, checked on the 4 length bytes of the next frame
   * (even one already in the same chunk). Frames queued before the call are not re-checked.
   */
  setMaxFrameBody(n: number): void {
    this.decoder.maxBody = n;
  }

  /**
   * Installs the frame consumer; frames that arrived earlier are delivered first, in order.
   * `consumesAtOnce`: the listener is done with each body when it returns (it keeps no reference),
   * so a frame spanning socket chunks may be lent in one reused buffer instead of a fresh one each.
   */
  setFrameListener(listener: FrameListener | null, opts: { consumesAtOnce?: boolean } = {}): void {
    this.listener = listener;
    this.decoder.lendAssembly = listener !== null && opts.consumesAtOnce === true;
    while (this.listener === listener && listener && this.queued.length > 0 && !this.closed) {
      const [type, body] = this.queued.shift()!;
      listener(type, body);
    }
  }

  onClose(listener: CloseListener): void {
    if (this.closedWith !== undefined) queueMicrotask(() => listener(this.closedWith ?? null));
    else this.closeListeners.push(listener);
  }

  /**
   * The initiator's first flight, preamble and handshake message 1, in one write: one segment, so
   * the responder wakes once for both (section 3.1).
   */
  writeOpening(preamble: Uint8Array, message1: Uint8Array): void {
    if (!this.closed) this.socket.write(Buffer.concat([preamble, encodeFrameHeader(FrameType.HANDSHAKE, message1.length), message1]));
  }

  /** One socket write per handshake frame (they are small): fewer syscalls on the critical path. */
  writeFrame(type: FrameTypeValue, body: Uint8Array): void {
    if (this.closed) return;
    this.socket.write(Buffer.concat([encodeFrameHeader(type, body.length), body]));
  }

  /**
   * The secure channel's records (section 5): one TRANSPORT frame each, header then the record's
   * pieces (ciphertext and tag) without joining them, all in one corked write.
   */
  writeRecords(records: readonly SealedRecord[]): void {
    if (this.closed) return;
    const s = this.socket;
    s.cork();
    for (const r of records) {
      s.write(encodeFrameHeader(FrameType.TRANSPORT, r.length));
      for (const piece of r.pieces) s.write(piece);
    }
    s.uncork();
  }

  /** Bytes written but not yet taken by the kernel. */
  get writableLength(): number {
    return this.socket.writableLength;
  }

  /** Stops / resumes reading the peer (backpressure, section 6.5). */
  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  /** Called whenever the socket's write buffer has drained. */
  onDrain(listener: () => void): void {
    this.socket.on('drain', listener);
  }

  /** Sends the one generic ABORT frame, then closes. Same bytes whatever the reason. */
  abort(localReason: MemCloudError): void {
    if (this.closed) return;
    this.socket.write(encodeFrameHeader(FrameType.ABORT, 1));
    this.socket.write(Uint8Array.of(ABORT_GENERIC));
    this.finish(localReason);
  }

  /** Closes the connection; idempotent. `err` null means a clean local close. */
  close(err: MemCloudError | null = null): void {
    this.finish(err);
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    try {
      if (this.preambleNeeded > 0) chunk = this.takePreamble(chunk);
      if (chunk.length > 0) this.decoder.push(chunk, (type, body) => this.deliver(type, body));
    } catch (err) {
      const e = toMemCloudError(err, ErrorCodes.FRAME_MALFORMED);
      this.abort(e);
    }
  }

  private takePreamble(chunk: Buffer): Buffer {
    const take = Math.min(this.preambleNeeded, chunk.length);
    this.preambleBytes = Buffer.concat([this.preambleBytes!, chunk.subarray(0, take)]);
    this.preambleNeeded -= take;
    const seen = this.preambleBytes.subarray(0, Math.min(4, this.preambleBytes.length));
    if (!PREAMBLE_MAGIC.subarray(0, seen.length).every((v, i) => v === seen[i])) {
      throw new MemCloudError(ErrorCodes.FRAME_MALFORMED, 'not a MemCloud connection (bad preamble)');
    }
    if (this.preambleNeeded === 0) this.preambleListener?.(this.preambleBytes);
    if (this.preambleNeeded === 0 && this.preambleWaiter) {
      const w = this.preambleWaiter;
      this.preambleWaiter = null;
      w(this.preambleBytes);
    }
    return chunk.subarray(take);
  }

  private deliver(type: FrameTypeValue, body: Buffer): void {
    if (this.closed) return; // e.g. closed by the listener while this chunk's frames were decoded
    if (type === FrameType.ABORT) {
      this.finish(new MemCloudError(ErrorCodes.HANDSHAKE_FAILED, 'the peer refused the session'));
      return;
    }
    if (this.listener) this.listener(type, body);
    else this.queued.push([type, body]);
  }

  private finish(err: MemCloudError | null): void {
    if (this.closedWith !== undefined) return;
    this.closedWith = err;
    this.queued = [];
    this.listener = null;
    this.decoder.lendAssembly = false;
    endOnce(this.socket);
    // Give a final frame a moment to flush, but never leave the socket open indefinitely.
    const t = setTimeout(() => this.socket.destroy(), 2000);
    t.unref();
    this.socket.once('close', () => clearTimeout(t));
    const listeners = this.closeListeners;
    this.closeListeners = [];
    for (const l of listeners) l(err);
  }
}

function endOnce(socket: Duplex): void {
  if (!socket.writableEnded) socket.end();
}
