// A secure channel (docs/protocol.md sections 5-6): the transport phase after a completed handshake.
// Each side sends HELLO (the channel id) once it has admitted the peer; application messages flow
// only after both HELLOs. Any authentication failure, malformed message or protocol violation
// closes the channel; nothing after the fault is delivered.

import { EventEmitter } from 'node:events';
import { timingSafeEqual } from 'node:crypto';
import { ErrorCodes, MemCloudError, toMemCloudError } from '../errors';
import {
  CloseReason,
  FrameType,
  MAX_FRAME_BODY,
  MAX_MESSAGE_BODY,
  MESSAGE_HEADER_LENGTH,
  MessageKind,
  REKEY_INTERVAL,
  type CloseReasonValue,
  type MessageKindValue,
} from './constants';
import { ChannelFlow, DEFAULT_WRITE_HIGH_WATER, type ChannelFlowOptions } from './channel-flow';
import type { RemoteDevice } from './handshake';
import { FIRST_PING_DELAY_MS, KeepAlive } from './keep-alive';
import { KeySchedule } from './key-schedule';
import { MessageDecoder, writeMessageHeader } from './message-codec';
import type { RecordCrypto } from '../crypto/record-crypto';
import { RecordReceiver } from './record-receiver';
import { RecordSender } from './record-sender';
import type { WireConnection } from './wire-connection';
import { TICKET_BODY_LENGTH } from './resume-wire';

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
  /** Reading pauses / resumes on the send buffer, and the no-progress deadline (section 6.5). */
  readonly flow?: ChannelFlowOptions;
  /** Protocol constant; tests lower it on both sides to exercise rekeying. */
  readonly rekeyInterval?: number;
  /**
   * Keep application messages that arrive once the channel opens until startDelivery(): the peer
   * may put requests right behind its HELLO, before the owner of the session has subscribed.
   */
  readonly holdMessages?: boolean;
  /** This side is an initiator that set the TICKETS preamble flag: TICKET messages are allowed (section 13.4). */
  readonly acceptTickets?: boolean;
}

export interface SecureChannelEvents {
  open: [];
  message: [Buffer];
  /** A TICKET body (section 13.4), copied. */
  ticket: [Buffer];
  drain: [];
  close: [MemCloudError | null];
}

const CLOSE_REASONS: ReadonlySet<number> = new Set(Object.values(CloseReason));
/** Section 6: the kinds whose body has a fixed size. */
const EXACT_BODY: ReadonlyMap<number, number> = new Map([
  [MessageKind.HELLO, 32],
  [MessageKind.CLOSE, 1],
  [MessageKind.PING, 8],
  [MessageKind.PONG, 8],
  [MessageKind.TICKET, TICKET_BODY_LENGTH],
]);
/** Section 0: failures after which no ABORT is sent (the peer is gone, or the stream cannot be trusted). */
const SILENT: ReadonlySet<string> = new Set([ErrorCodes.CHANNEL_CLOSED, ErrorCodes.DECRYPT_FAILED]);

export class SecureChannel extends EventEmitter<SecureChannelEvents> {
  readonly remote: RemoteDevice;
  readonly channelId: Uint8Array;
  readonly remoteAddress: string;
  private readonly connection: WireConnection;
  private readonly sender: RecordSender;
  private readonly receiver: RecordReceiver;
  private readonly sendKeys: KeySchedule;
  private readonly receiveKeys: KeySchedule;
  private readonly decoder = new MessageDecoder({ maxBody: 0 });
  private readonly header = Buffer.allocUnsafe(MESSAGE_HEADER_LENGTH);
  private readonly highWaterMark: number;
  private readonly acceptTickets: boolean;
  private helloSent = false;
  private helloReceived = false;
  private closing = false;
  private closed = false;
  private needDrain = false;
  /**
   * Application messages read but not delivered yet: until startDelivery() (holdMessages), and
   * while reading is paused on the send buffer, so one read of tiny requests cannot queue a reply
   * for each (section 6.5). Bounded by what was read before the pause.
   */
  private readonly undelivered: Buffer[] = [];
  private started: boolean;
  private readonly flow: ChannelFlow;
  private readonly keepAlive: KeepAlive;
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
    this.highWaterMark = opts.highWaterMark ?? DEFAULT_WRITE_HIGH_WATER;
    this.started = !opts.holdMessages;
    this.acceptTickets = opts.acceptTickets ?? false;
    const interval = opts.rekeyInterval ?? REKEY_INTERVAL;
    this.sendKeys = new KeySchedule(opts.crypto.aead, opts.sendKey, interval);
    this.receiveKeys = new KeySchedule(opts.crypto.aead, opts.receiveKey, interval);
    this.sender = new RecordSender(opts.connection, opts.crypto, this.sendKeys, (e) => this.destroy(e), () => this.onSent());
    const reading = {
      pause: () => opts.connection.pause(),
      resume: () => {
        opts.connection.resume();
        this.keepAlive.readingResumed(Date.now()); // our pause was not the peer's silence (section 6.4)
      },
    };
    this.flow = new ChannelFlow(reading, this.sender.progress, () => this.sender.bufferedBytes, opts.flow);
    this.keepAlive = new KeepAlive(
      { sendPing: (b) => this.sendKind(MessageKind.PING, b), sendPong: (b) => this.sendKind(MessageKind.PONG, b) },
      this.sender.progress,
      opts.keepAliveMs,
      opts.idleTimeoutMs,
    );
    this.receiver = new RecordReceiver(
      opts.crypto,
      this.receiveKeys,
      {
        room: (n) => this.decoder.bodyRoom(n),
        filled: (n) => this.decodeSafely(() => this.decoder.bodyFilled(n, this.onMessageNow)),
        deliver: (pt) => this.decodeSafely(() => this.decoder.push(Buffer.from(pt.buffer, pt.byteOffset, pt.byteLength), this.onMessageNow)),
      },
      (e) => this.destroy(e),
      (backlogged) => (backlogged ? this.flow.pause('decryption backlog') : this.flow.resume('decryption backlog')),
    );
    this.updateLimits();
    opts.connection.setFrameListener(
      (type, body) => {
        if (type !== FrameType.TRANSPORT) return this.destroy(new MemCloudError(ErrorCodes.FRAME_MALFORMED, 'handshake frame after the handshake'));
        this.keepAlive.received(Date.now());
        this.receiver.push(body);
      },
      { consumesAtOnce: this.receiver.consumesAtOnce },
    );
    opts.connection.onClose((err) => this.finish(err ?? new MemCloudError(ErrorCodes.CHANNEL_CLOSED, 'connection closed')));
    opts.connection.onDrain(() => this.onSent());
    // Once a second: flow (pause, resume, stall) and, on an open session, keep-alive (section 6.4).
    // Before both HELLOs the session manager's admission deadline bounds the wait instead.
    const tick = setInterval(() => this.tick(), 1000);
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
    return this.keepAlive.latencyMs;
  }

  /** True while this side does not read the peer (its replies pile up, or decryption is behind). */
  get readingPaused(): boolean {
    return this.flow.paused;
  }

  get bufferedBytes(): number {
    return this.sender.bufferedBytes;
  }

  /** This side has admitted the peer (session-manager decides): sends HELLO. Data flows once the peer's HELLO has arrived too. */
  sendHello(): void {
    if (this.helloSent || this.closed || this.closing) return;
    this.helloSent = true;
    this.sendKind(MessageKind.HELLO, this.channelId);
    // The peer may now send application data right behind its HELLO: whole records again.
    this.connection.setMaxFrameBody(MAX_FRAME_BODY);
    this.updateLimits();
    this.maybeOpen();
  }

  /** Emits the application messages held since the channel opened, in order, and every later one at once. */
  startDelivery(): void {
    this.started = true;
    this.deliver();
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

  /** Sends a TICKET (section 13.4) on an open session; the caller checked the peer asked for tickets. */
  sendTicket(body: Uint8Array): void {
    if (this.isOpen) this.sendKind(MessageKind.TICKET, body);
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
    this.flow.onBufferChange();
    return length;
  }

  private tick(): void {
    if (this.closed) return;
    const now = Date.now();
    const stalled = this.flow.check(now);
    if (stalled) return this.destroy(stalled);
    this.deliver();
    if (!this.isOpen) return;
    const silent = this.keepAlive.tick(now, this.flow.paused);
    if (silent) this.destroy(silent);
  }

  private readonly onMessageNow = (kind: MessageKindValue, body: Buffer): void => this.onMessage(kind, body);

  /** Runs one step of message decoding; a malformed or forbidden message ends the channel. */
  private decodeSafely(step: () => void): void {
    try {
      step();
    } catch (err) {
      this.destroy(toMemCloudError(err, ErrorCodes.FRAME_MALFORMED));
    }
  }

  private onMessage(kind: MessageKindValue, body: Buffer): void {
    if (this.closed) return;
    switch (kind) {
      // Kinds and sizes were checked on the header against the session's state (checkHeader).
      case MessageKind.HELLO: {
        if (!timingSafeEqual(body, this.channelId)) throw new MemCloudError(ErrorCodes.HANDSHAKE_FAILED, 'HELLO does not carry this channel id');
        this.helloReceived = true;
        this.updateLimits();
        this.maybeOpen();
        return;
      }
      case MessageKind.APP:
        this.bytesReceived += body.length;
        if (this.closing) return;
        this.undelivered.push(body);
        this.deliver();
        return;
      case MessageKind.PING:
        if (!this.closing) this.keepAlive.ping(body);
        return;
      case MessageKind.PONG:
        this.keepAlive.pongReceived(body, Date.now());
        return;
      case MessageKind.TICKET:
        if (!this.closing) this.emit('ticket', Buffer.from(body));
        return;
      case MessageKind.CLOSE: {
        if (!CLOSE_REASONS.has(body[0]!)) throw new MemCloudError(ErrorCodes.FRAME_MALFORMED, `CLOSE with unknown reason ${body[0]}`);
        this.finish(new MemCloudError(ErrorCodes.CHANNEL_CLOSED, 'the peer closed the session'));
        return;
      }
      default: {
        const never: never = kind;
        throw new MemCloudError(ErrorCodes.FRAME_MALFORMED, `unknown message kind ${String(never)}`);
      }
    }
  }

  /**
   * Section 6: what the peer may send depends on the HELLOs. Before its HELLO only HELLO; after it
   * and before ours only CLOSE; once open anything but HELLO. Sizes are exact where the kind fixes
   * them. Checked on each message's header, so nothing large is ever allocated for a peer that
   * is not admitted.
   */
  private updateLimits(): void {
    const maxBody = !this.helloReceived ? this.channelId.length : !this.helloSent ? 1 : MAX_MESSAGE_BODY;
    this.decoder.limits = { maxBody, check: (kind, length) => this.checkHeader(kind, length) };
  }

  private checkHeader(kind: MessageKindValue, length: number): void {
    const allowed = !this.helloReceived
      ? kind === MessageKind.HELLO
      : !this.helloSent
        ? kind === MessageKind.CLOSE
        : kind !== MessageKind.HELLO && (kind !== MessageKind.TICKET || this.acceptTickets);
    if (!allowed) {
      throw new MemCloudError(ErrorCodes.FRAME_MALFORMED, `channel message kind ${kind} not allowed ${this.isOpen ? 'on an open session' : 'before both HELLOs'}`);
    }
    const exact = EXACT_BODY.get(kind);
    if (exact !== undefined && length !== exact) throw new MemCloudError(ErrorCodes.FRAME_MALFORMED, `channel message kind ${kind} with a ${length}-byte body`);
  }

  private maybeOpen(): void {
    if (this.helloSent && this.helloReceived && !this.closing && !this.closed) {
      this.keepAlive.opened(Date.now()); // the idle clock starts when the session opens
      // Latency is known within a moment, not only after the first keep-alive (15 s).
      this.timers.push(setTimeout(() => this.tick(), FIRST_PING_DELAY_MS).unref());
      this.emit('open');
    }
  }

  /** Delivers what was read, in order, while the session's owner listens and the peer reads its replies. */
  private deliver(): void {
    while (this.undelivered.length > 0 && this.started && !this.flow.pausedOnSendBuffer && !this.closed && !this.closing) {
      this.emit('message', this.undelivered.shift()!);
    }
  }

  /** Bytes left our queues or the socket's: writers may go on, reading may resume, an owed PONG may go. */
  private onSent(): void {
    this.flow.onBufferChange();
    this.deliver();
    if (this.isOpen) this.keepAlive.sendOwed();
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
    // Section 0: a fatal error sends the generic ABORT, except when the peer is gone or a record
    // failed authentication; a CLOSE (ours or the peer's) ends the session without one.
    if (abort || (err && !SILENT.has(err.code))) this.connection.abort(err!);
    else this.connection.close(err);
    this.emit('close', err);
  }
}
