// A secure channel (docs/protocol.md sections 5-6): the transport phase after a completed handshake.
// Each side sends HELLO (the channel id) once it has admitted the peer; application messages flow
// only after both HELLOs. Any authentication failure, malformed message or protocol violation
// closes the channel; nothing after the fault is delivered.

import { EventEmitter } from 'node:events';
import { timingSafeEqual } from 'node:crypto';
import { ErrorCodes, MemCloudError, isMemCloudError } from '../errors';
import { CloseReason, FrameType, MESSAGE_HEADER_LENGTH, MessageKind, REKEY_INTERVAL, type CloseReasonValue, type MessageKindValue } from './constants';
import type { RemoteDevice } from './handshake';
import { KeySchedule } from './key-schedule';
import { MessageDecoder, writeMessageHeader } from './message-codec';
import type { RecordCrypto } from './record-crypto';
import { RecordReceiver } from './record-receiver';
import { RecordSender, type RecordSink } from './record-sender';
import type { WireConnection } from './wire-connection';

export interface SecureChannelOptions {
  readonly connection: WireConnection;
  readonly remote: RemoteDevice;
  readonly channelId: Uint8Array;
  readonly sendKey: Uint8Array;
  readonly receiveKey: Uint8Array;
  readonly crypto: RecordCrypto;
  readonly keepAliveMs?: number;
  readonly idleTimeoutMs?: number;
  /** send() returns false above this many buffered bytes; 'drain' follows below half of it. */
  readonly highWaterMark?: number;
  /** Protocol constant; tests lower it on both sides to exercise rekeying. */
  readonly rekeyInterval?: number;
}

export interface SecureChannelEvents {
  open: [];
  message: [Buffer];
  drain: [];
  close: [MemCloudError | null];
}

const CLOSE_REASONS: ReadonlySet<number> = new Set(Object.values(CloseReason));

export class SecureChannel extends EventEmitter<SecureChannelEvents> {
  readonly remote: RemoteDevice;
  readonly channelId: Uint8Array;
  readonly remoteAddress: string;
  private readonly connection: WireConnection;
  private readonly sender: RecordSender;
  private readonly receiver: RecordReceiver;
  private readonly sendKeys: KeySchedule;
  private readonly receiveKeys: KeySchedule;
  private readonly decoder = new MessageDecoder();
  private readonly header = Buffer.allocUnsafe(MESSAGE_HEADER_LENGTH);
  private readonly highWaterMark: number;
  private helloSent = false;
  private helloReceived = false;
  private closing = false;
  private closed = false;
  private needDrain = false;
  private lastReceived = Date.now();
  private pingSentAt = 0;
  private rtt = -1;
  /** Application bytes sent and received on this channel (for throughput statistics). */
  bytesSent = 0;
  bytesReceived = 0;
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(opts: SecureChannelOptions) {
    super();
    this.remote = opts.remote;
    this.channelId = opts.channelId;
    this.connection = opts.connection;
    this.remoteAddress = opts.connection.remoteAddress;
    this.highWaterMark = opts.highWaterMark ?? 8 * 1024 * 1024;
    const interval = opts.rekeyInterval ?? REKEY_INTERVAL;
    this.sendKeys = new KeySchedule(opts.crypto.aead, opts.sendKey, interval);
    this.receiveKeys = new KeySchedule(opts.crypto.aead, opts.receiveKey, interval);
    const socket: RecordSink = opts.connection.socket;
    this.sender = new RecordSender(socket, opts.crypto, this.sendKeys, (e) => this.destroy(e), () => this.checkDrain());
    this.receiver = new RecordReceiver(
      opts.crypto,
      this.receiveKeys,
      (pt) => this.onPlaintext(pt),
      (e) => this.destroy(e),
      (backlogged) => (backlogged ? opts.connection.socket.pause() : opts.connection.socket.resume()),
    );
    opts.connection.setFrameListener((type, body) => {
      if (type !== FrameType.TRANSPORT) return this.destroy(new MemCloudError(ErrorCodes.FRAME_MALFORMED, 'handshake frame after the handshake'));
      this.lastReceived = Date.now();
      this.receiver.push(body);
    });
    opts.connection.onClose((err) => this.finish(err ?? new MemCloudError(ErrorCodes.CHANNEL_CLOSED, 'connection closed')));
    opts.connection.socket.on('drain', () => this.checkDrain());

    const keepAlive = opts.keepAliveMs ?? 15_000;
    const idle = opts.idleTimeoutMs ?? 45_000;
    const tick = setInterval(() => {
      // Only an open session idles out (section 6.4). Before both HELLOs the peer may be asking its
      // user (section 4): the session manager's admission timeout bounds that wait instead.
      if (this.isOpen && Date.now() - this.lastReceived > idle) {
        this.destroy(new MemCloudError(ErrorCodes.TIMEOUT, `no traffic from the peer for ${idle} ms`));
      } else if (this.helloSent) {
        this.ping();
      }
    }, Math.min(keepAlive, idle));
    tick.unref();
    this.timers.push(tick);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  get isOpen(): boolean {
    return this.helloSent && this.helloReceived && !this.closing && !this.closed;
  }

  /** Round-trip time of the last keep-alive in milliseconds, or -1 before the first one. */
  get latencyMs(): number {
    return this.rtt;
  }

  get bufferedBytes(): number {
    return this.sender.bufferedBytes;
  }

  /** This side admits the peer: sends HELLO. Data flows once the peer's HELLO has arrived too. */
  admit(): void {
    if (this.helloSent || this.closed || this.closing) return;
    this.helloSent = true;
    this.sendKind(MessageKind.HELLO, this.channelId);
    this.maybeOpen();
  }

  /** Queues one application message. Returns false when the caller should wait for 'drain'. */
  send(body: Uint8Array | readonly Uint8Array[]): boolean {
    if (!this.isOpen) throw new MemCloudError(ErrorCodes.CHANNEL_CLOSED, 'the channel is not open');
    this.bytesSent += this.sendKind(MessageKind.APP, body);
    if (this.sender.bufferedBytes >= this.highWaterMark) {
      this.needDrain = true;
      return false;
    }
    return true;
  }

  ping(): void {
    if (this.closed || this.closing || !this.helloSent) return;
    if (this.pingSentAt !== 0 && Date.now() - this.pingSentAt < 60_000) return; // one outstanding
    this.pingSentAt = Date.now();
    const body = Buffer.alloc(8);
    body.writeDoubleBE(this.pingSentAt);
    this.sendKind(MessageKind.PING, body);
  }

  /** Graceful close: queued messages are sent, then CLOSE, then the connection ends. Idempotent. */
  async close(reason: CloseReasonValue = CloseReason.NORMAL): Promise<void> {
    if (this.closed || this.closing) return;
    this.closing = true;
    if (this.helloSent) {
      this.sendKind(MessageKind.CLOSE, Uint8Array.of(reason));
      const t = new Promise<void>((r) => this.timers.push(setTimeout(r, 2000).unref()));
      await Promise.race([this.sender.whenIdle(), t]);
    }
    this.finish(null);
  }

  /** Immediate close on error. Idempotent. */
  destroy(err: MemCloudError): void {
    this.finish(err);
  }

  /** Immediate close that tells the peer only the generic refusal (ABORT), e.g. on revocation. */
  abort(err: MemCloudError): void {
    this.finish(err, true);
  }

  private sendKind(kind: MessageKindValue, body: Uint8Array | readonly Uint8Array[]): number {
    const single = body instanceof Uint8Array;
    let length = 0;
    if (single) length = body.length;
    else for (const p of body) length += p.length;
    // The sender copies the header at once, so one scratch header serves every message.
    writeMessageHeader(this.header, kind, length);
    this.sender.enqueue(this.header);
    if (single) this.sender.enqueue(body);
    else for (const p of body) this.sender.enqueue(p);
    return length;
  }

  private onPlaintext(pt: Uint8Array): void {
    try {
      this.decoder.push(Buffer.from(pt.buffer, pt.byteOffset, pt.byteLength), (kind, body) => this.onMessage(kind, body));
    } catch (err) {
      this.destroy(isMemCloudError(err) ? err : new MemCloudError(ErrorCodes.FRAME_MALFORMED, String(err)));
    }
  }

  private onMessage(kind: MessageKindValue, body: Buffer): void {
    if (this.closed) return;
    switch (kind) {
      case MessageKind.HELLO: {
        if (this.helloReceived || body.length !== this.channelId.length || !timingSafeEqual(body, this.channelId)) {
          throw new MemCloudError(ErrorCodes.HANDSHAKE_FAILED, 'bad or repeated HELLO (channel binding failed)');
        }
        this.helloReceived = true;
        this.maybeOpen();
        return;
      }
      case MessageKind.APP:
        if (!this.helloSent || !this.helloReceived) {
          throw new MemCloudError(ErrorCodes.FRAME_MALFORMED, 'application data before both sides admitted each other');
        }
        this.bytesReceived += body.length;
        if (!this.closing) this.emit('message', body);
        return;
      case MessageKind.PING:
        if (!this.helloReceived) throw new MemCloudError(ErrorCodes.FRAME_MALFORMED, 'PING before HELLO');
        if (body.length !== 8) throw new MemCloudError(ErrorCodes.FRAME_MALFORMED, 'PING body must be 8 bytes');
        if (this.helloSent && !this.closing) this.sendKind(MessageKind.PONG, Buffer.from(body));
        return;
      case MessageKind.PONG:
        if (body.length !== 8) throw new MemCloudError(ErrorCodes.FRAME_MALFORMED, 'PONG body must be 8 bytes');
        if (this.pingSentAt !== 0 && body.readDoubleBE(0) === this.pingSentAt) {
          this.rtt = Date.now() - this.pingSentAt;
          this.pingSentAt = 0;
        }
        return;
      case MessageKind.CLOSE: {
        const reason = body.length === 1 && CLOSE_REASONS.has(body[0]!) ? body[0]! : CloseReason.PROTOCOL_ERROR;
        const gone = reason === CloseReason.NORMAL || reason === CloseReason.GOING_AWAY;
        this.finish(new MemCloudError(ErrorCodes.CHANNEL_CLOSED, gone ? 'the peer closed the session' : 'the peer refused the session'));
        return;
      }
      default: {
        const never: never = kind;
        throw new MemCloudError(ErrorCodes.FRAME_MALFORMED, `unknown message kind ${String(never)}`);
      }
    }
  }

  private maybeOpen(): void {
    if (this.helloSent && this.helloReceived && !this.closing && !this.closed) {
      this.lastReceived = Date.now(); // the idle clock starts when the session opens
      // Latency is known within a moment, not only after the first keep-alive (15 s). Not at once:
      // data sent right after opening keeps its own record.
      this.timers.push(setTimeout(() => this.ping(), 250).unref());
      this.emit('open');
    }
  }

  private checkDrain(): void {
    if (this.needDrain && this.sender.bufferedBytes < this.highWaterMark / 2) {
      this.needDrain = false;
      this.emit('drain');
    }
  }

  private finish(err: MemCloudError | null, abort = false): void {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.sender.stop();
    this.receiver.stop();
    this.sendKeys.destroy();
    this.receiveKeys.destroy();
    // Before both HELLOs a failure is a refusal: the peer gets the generic ABORT (section 0).
    if (err && (abort || !(this.helloSent && this.helloReceived))) this.connection.abort(err);
    else this.connection.close(err);
    this.emit('close', err);
  }
}
