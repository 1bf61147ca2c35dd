// One open session seen by the RAM layer: requests we send to the peer (with ids, pipelined, each
// with a finite deadline) and requests it sends us (handed to the holder service).

import { EventEmitter } from 'node:events';
import { ErrorCodes, MemCloudError, toMemCloudError } from '../errors';
import { receivedMessage } from '../text/peer-text';
import type { Session } from '../session/session-manager';
import { PendingRequests } from '../wire/pending-requests';
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
  request(rpc: PeerRpc, request: PeerRequest): void;
  notice(rpc: PeerRpc, notice: PeerNotice): void;
}

export interface PeerRpcEvents {
  close: [MemCloudError | null];
}

/** Requests unanswered for this long fail with TIMEOUT (a stalled peer must not hang callers). */
export const REQUEST_TIMEOUT_MS = 30_000;
/** How long a write waits for a peer to read what is already buffered for it (see whenWritable). */
export const DRAIN_TIMEOUT_MS = 10_000;
/** The channel's send buffer above which new writes wait (see writable). */
const WRITE_HIGH_WATER = 8 * 1024 * 1024;

export class PeerRpc extends EventEmitter<PeerRpcEvents> {
  readonly publicKey: string;
  readonly name: string;
  readonly fingerprint: string;
  /** The peer announced it is leaving: place nothing new on it. */
  leaving = false;
  /** Our requests by id (op as meta); ids of timed-out ones are remembered, their late replies dropped (section 7). */
  private readonly pending: PendingRequests<number, PeerReply>;
  /** Ids of the peer's requests we have not answered yet: a second request with one of them is a protocol error. */
  private readonly inbound = new Set<number>();
  private closed = false;

  constructor(
    readonly session: Session,
    private readonly handler: PeerRequestHandler,
    private readonly onProtocolError: (rpc: PeerRpc, err: MemCloudError) => void,
  ) {
    super();
    this.publicKey = session.publicKey;
    this.name = session.remote.name;
    this.fingerprint = session.fingerprint;
    this.pending = new PendingRequests({
      timeoutError: (_op, ms) => new MemCloudError(ErrorCodes.TIMEOUT, `${this.name} did not answer within ${ms / 1000} s`),
    });
    session.channel.on('message', (m) => this.onMessage(m));
    session.channel.once('close', (err) => this.finish(err));
  }

  get isOpen(): boolean {
    return !this.closed && this.session.channel.isOpen;
  }

  /** False while the channel's send buffer is above its high-water mark (then see whenWritable). */
  get writable(): boolean {
    return this.closed || this.session.channel.bufferedBytes < WRITE_HIGH_WATER;
  }

  /**
   * Resolves when the channel's send buffer is below its high-water mark (or the session closed: the
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

  load(block: string): Promise<Uint8Array> {
    return this.call(Op.LOAD, (id) => encodeLoad(id, block)).then((r) => (r.op === Op.LOAD && r.ok ? r.data : new Uint8Array(0)));
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

  /**
   * Every block id we store on the peer, page by page (section 7.1: LIST). A holder that breaks the
   * listing's rules is a protocol error: the session is closed with ABORT (section 0) and this
   * rejects, so nothing is concluded from a listing that cannot be trusted.
   */
  async list(): Promise<string[]> {
    const ids: string[] = [];
    let cursor = 0;
    do {
      const r = await this.call(Op.LIST, (id) => encodeList(id, cursor, MAX_LIST_PAGE));
      if (r.op !== Op.LIST || !r.ok) break;
      // A holder must move forward: a cursor that does not grow would page forever.
      if (r.next !== 0 && r.next <= cursor) throw this.protocolError(`LIST cursor did not advance (${cursor} answered with next ${r.next})`);
      if (ids.length + r.blocks.length > MAX_BLOCKS_PER_OWNER) throw this.protocolError(`LIST lists more than the ${MAX_BLOCKS_PER_OWNER} blocks a holder keeps per device`);
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

  /** A reply broke the protocol: closes the session (section 0) and returns the error for the caller. */
  private protocolError(what: string): MemCloudError {
    const err = new MemCloudError(ErrorCodes.FRAME_MALFORMED, what); // the session log names the peer
    if (!this.closed) this.onProtocolError(this, err);
    return err;
  }

  /** Sends a request; settles with its successful reply, or rejects with the error the peer answered. */
  private call(op: number, encode: (id: number) => Uint8Array | readonly Uint8Array[]): Promise<PeerReply> {
    if (!this.isOpen) return Promise.reject(new MemCloudError(ErrorCodes.PEER_GONE, `${this.name} is not connected`));
    return this.pending.request(op, REQUEST_TIMEOUT_MS, (id) => this.session.channel.send(encode(id)));
  }

  private onMessage(m: Buffer): void {
    try {
      const msg = decodePeerMessage(m);
      switch (msg.kind) {
        case 'reply': {
          const p = this.pending.settle(msg.reply.id, (op) => op === msg.reply.op);
          if (p.kind === 'late') return; // answered after we gave up on it
          if (p.kind === 'unknown') throw new MemCloudError(ErrorCodes.FRAME_MALFORMED, 'reply to no pending request');
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
      this.onProtocolError(this, toMemCloudError(err));
    }
  }

  private finish(err: MemCloudError | null): void {
    if (this.closed) return;
    this.closed = true;
    this.pending.close(new MemCloudError(ErrorCodes.PEER_GONE, `${this.name} disconnected${err ? `: ${err.message}` : ''}`));
    this.emit('close', err);
  }
}
