// One open session seen by the RAM layer: requests we send to the peer (with ids, pipelined, each
// with a finite deadline) and requests it sends us (handed to the holder service).

import { EventEmitter } from 'node:events';
import { ErrorCodes, MemCloudError, isMemCloudError } from '../errors';
import { receivedMessage } from '../text/peer-text';
import type { Session } from '../session/session-manager';
import {
  MAX_BLOCKS_PER_OWNER,
  MAX_LIST_PAGE,
  Op,
  REPLY,
  decodePeerMessage,
  encodeFree,
  encodeList,
  encodeLoad,
  encodeStat,
  encodeStore,
  type DurabilityByte,
  type PeerNotice,
  type PeerReply,
  type PeerRequest,
  type StatReply,
} from './peer-protocol';

export interface PeerRequestHandler {
  request(link: PeerLink, request: PeerRequest): void;
  notice(link: PeerLink, notice: PeerNotice): void;
}

interface Pending {
  readonly op: number;
  /** The link's clock (seconds of its sweep timer) when the request was sent. */
  readonly sentAt: number;
  readonly resolve: (r: PeerReply) => void;
  readonly reject: (e: MemCloudError) => void;
}

export interface PeerLinkEvents {
  close: [MemCloudError | null];
}

/** Requests unanswered for this long fail with TIMEOUT (a stalled peer must not hang callers). */
export const REQUEST_TIMEOUT_MS = 30_000;
/** How long a write waits for a peer to read what is already buffered for it (see whenWritable). */
export const DRAIN_TIMEOUT_MS = 10_000;
const SWEEP_MS = 1000;
/** The channel's send buffer above which new writes wait (see writable). */
const WRITE_HIGH_WATER = 8 * 1024 * 1024;
/** Timed-out request ids remembered so their late replies can be told from replies to nothing. */
const MAX_ABANDONED = 4096;

export class PeerLink extends EventEmitter<PeerLinkEvents> {
  readonly publicKey: string;
  readonly name: string;
  readonly fingerprint: string;
  /** The peer announced it is leaving: place nothing new on it. */
  leaving = false;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  /** Ids of the peer's requests we have not answered yet: a second request with one of them is a protocol error. */
  private readonly inbound = new Set<number>();
  /** Ids of our requests that timed out, oldest first: their late replies are dropped, not fatal (section 7). */
  private readonly abandoned = new Set<number>();
  private closed = false;
  /** Sweeps so far: a coarse clock, so sending a request needs no Date.now(). */
  private clock = 0;
  private readonly sweep: NodeJS.Timeout;

  constructor(
    readonly session: Session,
    private readonly handler: PeerRequestHandler,
    private readonly onProtocolError: (link: PeerLink, err: MemCloudError) => void,
  ) {
    super();
    this.publicKey = session.publicKey;
    this.name = session.remote.name;
    this.fingerprint = session.fingerprint;
    session.channel.on('message', (m) => this.onMessage(m));
    session.channel.once('close', (err) => this.finish(err));
    this.sweep = setInterval(() => this.expire(), SWEEP_MS);
    this.sweep.unref();
  }

  get isOpen(): boolean {
    return !this.closed && this.session.channel.isOpen;
  }

  /** False while the channel's send buffer is above its high-water mark (then see whenWritable). */
  get writable(): boolean {
    return this.closed || this.session.channel.bufferedBytes < WRITE_HIGH_WATER;
  }

  /**
   * Resolves when the channel's send buffer is below its high-water mark (or the link closed: the
   * caller's send then fails with PEER_GONE). A peer that stops reading must not hold a write
   * forever: after `deadlineMs` this rejects with TIMEOUT, as an unanswered request does, so the
   * caller fails over to another holder. `null`: no deadline (the holder side, whose replies wait
   * for the peer; a session that makes no progress at all is closed by the channel).
   */
  whenWritable(deadlineMs: number | null = DRAIN_TIMEOUT_MS): Promise<void> {
    const ch = this.session.channel;
    if (this.writable) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const finish = (err: MemCloudError | null) => {
        clearTimeout(timer);
        ch.off('drain', done);
        ch.off('close', done);
        if (err) reject(err);
        else resolve();
      };
      const done = () => finish(null);
      const timeout = () => finish(new MemCloudError(ErrorCodes.TIMEOUT, `${this.name} did not read what we sent within ${deadlineMs! / 1000} s`));
      const timer = deadlineMs === null ? undefined : setTimeout(timeout, deadlineMs);
      ch.on('drain', done);
      ch.on('close', done);
    });
  }

  store(block: string, durability: DurabilityByte, data: Uint8Array): Promise<PeerReply> {
    return this.call(Op.STORE, (id) => encodeStore(id, block, durability, data));
  }

  async load(block: string): Promise<Uint8Array> {
    const r = await this.call(Op.LOAD, (id) => encodeLoad(id, block));
    return r.op === Op.LOAD && r.ok ? r.data : new Uint8Array(0);
  }

  async free(blocks: readonly string[]): Promise<number> {
    let freed = 0;
    for (let i = 0; i < blocks.length; i += 4096) {
      const r = await this.call(Op.FREE, (id) => encodeFree(id, blocks.slice(i, i + 4096)));
      if (r.op === Op.FREE && r.ok) freed += r.freed;
    }
    return freed;
  }

  async stat(): Promise<StatReply> {
    const r = await this.call(Op.STAT, encodeStat);
    if (r.op !== Op.STAT || !r.ok) throw new MemCloudError(ErrorCodes.INTERNAL, 'bad STAT reply');
    return r.stat;
  }

  /** Every block id we store on the peer, page by page (section 7.1: LIST). */
  async list(): Promise<string[]> {
    const ids: string[] = [];
    let cursor = 0;
    do {
      const r = await this.call(Op.LIST, (id) => encodeList(id, cursor, MAX_LIST_PAGE));
      if (r.op !== Op.LIST || !r.ok) break;
      // A holder must move forward: a cursor that does not grow would page forever.
      if (r.next !== 0 && r.next <= cursor) throw new MemCloudError(ErrorCodes.FRAME_MALFORMED, `${this.name}: LIST cursor did not advance`);
      if (ids.length + r.blocks.length > MAX_BLOCKS_PER_OWNER) throw new MemCloudError(ErrorCodes.FRAME_MALFORMED, `${this.name}: LIST lists more blocks than a holder keeps`);
      for (const x of r.blocks) ids.push(x);
      cursor = r.next;
    } while (cursor !== 0);
    return ids;
  }

  /** Sends a reply or notice (already encoded). A reply ends its request's time in flight. */
  send(parts: Uint8Array | readonly Uint8Array[]): void {
    const head = parts instanceof Uint8Array ? parts : parts[0];
    if (head !== undefined && head.length >= 5 && head[0]! & REPLY) {
      this.inbound.delete(((head[1]! << 24) | (head[2]! << 16) | (head[3]! << 8) | head[4]!) >>> 0);
    }
    if (this.isOpen) this.session.channel.send(parts);
  }

  close(): void {
    this.finish(null);
  }

  /** Sends a request; settles with its successful reply, or rejects with the error the peer answered. */
  private call(op: number, encode: (id: number) => Uint8Array | readonly Uint8Array[]): Promise<PeerReply> {
    if (!this.isOpen) return Promise.reject(new MemCloudError(ErrorCodes.PEER_GONE, `${this.name} is not connected`));
    const id = this.nextId;
    this.nextId = id === 0xffffffff ? 1 : id + 1;
    return new Promise<PeerReply>((resolve, reject) => {
      this.pending.set(id, { op, sentAt: this.clock, resolve, reject });
      this.session.channel.send(encode(id));
    });
  }

  private onMessage(m: Buffer): void {
    try {
      const msg = decodePeerMessage(m);
      switch (msg.kind) {
        case 'reply': {
          const p = this.pending.get(msg.reply.id);
          if (!p && this.abandoned.delete(msg.reply.id)) return; // answered after we gave up on it
          if (!p || p.op !== msg.reply.op) throw new MemCloudError(ErrorCodes.FRAME_MALFORMED, 'reply to no pending request');
          this.pending.delete(msg.reply.id);
          const r = msg.reply;
          if (r.ok) p.resolve(r);
          // The peer's text becomes PeerText here: one line, no controls, at most 512 bytes.
          else p.reject(new MemCloudError(r.code, `${this.name} (${this.fingerprint}): ${receivedMessage(r.message)}`));
          return;
        }
        case 'request':
          if (this.inbound.has(msg.request.id)) {
            throw new MemCloudError(ErrorCodes.FRAME_MALFORMED, `request id ${msg.request.id} is already in flight`);
          }
          this.inbound.add(msg.request.id);
          this.handler.request(this, msg.request);
          return;
        case 'notice':
          this.handler.notice(this, msg.notice);
          return;
      }
    } catch (err) {
      this.onProtocolError(this, isMemCloudError(err) ? err : new MemCloudError(ErrorCodes.INTERNAL, String(err)));
    }
  }

  private expire(): void {
    this.clock++;
    // More sweeps than the timeout has seconds: sent between REQUEST_TIMEOUT_MS and one sweep more ago.
    const limit = this.clock - REQUEST_TIMEOUT_MS / SWEEP_MS;
    for (const [id, p] of this.pending) {
      if (p.sentAt >= limit) continue;
      this.pending.delete(id);
      this.abandon(id);
      p.reject(new MemCloudError(ErrorCodes.TIMEOUT, `${this.name} did not answer within ${REQUEST_TIMEOUT_MS / 1000} s`));
    }
  }

  private abandon(id: number): void {
    this.abandoned.add(id);
    if (this.abandoned.size > MAX_ABANDONED) this.abandoned.delete(this.abandoned.values().next().value!);
  }

  private finish(err: MemCloudError | null): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.sweep);
    const gone = new MemCloudError(ErrorCodes.PEER_GONE, `${this.name} disconnected${err ? `: ${err.message}` : ''}`);
    for (const p of this.pending.values()) p.reject(gone);
    this.pending.clear();
    this.emit('close', err);
  }
}
