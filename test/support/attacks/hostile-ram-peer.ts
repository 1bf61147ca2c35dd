// A hostile peer inside an open session, at the RAM-protocol level (docs/protocol.md sections 6-7):
// it opens the victim's records with its own Noise state, splits them into channel messages with
// its own parser, answers the victim's keep-alive and requests as told, and sends whatever APP
// bodies it likes.

import type { HostileSession } from './hostile-initiator';
import { channelMessage } from './hostile-noise';
import { GENERIC_ABORT, TRANSPORT } from './wire-bytes';

export const APP = 0;
export const CLOSE = 2;
export const PING = 3;
export const PONG = 4;

export interface ChannelMessage {
  readonly kind: number;
  readonly body: Buffer;
}

/** What to answer to one of the victim's requests: the APP body, or null to stay silent. */
export type Responder = (request: Buffer) => Buffer | null;

/** Answers STAT with a large room and anything else (LIST...) with an INTERNAL error, so the victim places blocks here. */
export const roomyHolder: Responder = (req) => {
  const op = req[0]!;
  if (op === 0x04) {
    const b = Buffer.alloc(30);
    b[0] = 0x84;
    req.copy(b, 1, 1, 5);
    b[5] = 0;
    b.writeBigUInt64BE(1n << 30n, 6);
    b.writeBigUInt64BE(0n, 14);
    b.writeBigUInt64BE(1n << 30n, 22);
    return b;
  }
  return errorReply(req, 5, Buffer.from('not here'));
};

/** An error reply to `req` with status and raw text bytes (not checked: attackers lie). */
export function errorReply(req: Buffer, status: number, text: Buffer): Buffer {
  const head = Buffer.alloc(6);
  head[0] = 0x80 | req[0]!;
  req.copy(head, 1, 1, 5);
  head[5] = status;
  return Buffer.concat([head, text]);
}

/** op || id || fields, as the attacker chooses them. */
export function ramMessage(op: number, id: number, fields: Uint8Array = new Uint8Array(0)): Buffer {
  const b = Buffer.alloc(5 + fields.length);
  b[0] = op;
  b.writeUInt32BE(id, 1);
  b.set(fields, 5);
  return b;
}

export class HostileRamPeer {
  /** Every channel message the victim sent, in order. */
  readonly received: ChannelMessage[] = [];
  private stream = Buffer.alloc(0);
  private readonly waiters: Array<() => void> = [];
  private readonly pump: Promise<void>;

  constructor(
    readonly session: HostileSession,
    private readonly respond: Responder = roomyHolder,
  ) {
    this.pump = this.run();
    this.pump.catch(() => undefined);
  }

  /** True once the victim closed the connection and its last frame was the generic ABORT. */
  get abortedByVictim(): boolean {
    const last = this.session.peer.frames.at(-1);
    return !this.session.peer.isOpen && last !== undefined && last.raw.equals(GENERIC_ABORT);
  }

  sendApp(body: Uint8Array): void {
    this.session.sendRecord(channelMessage(APP, body));
  }

  /** Resolves with the first APP body (already received or coming) that matches. */
  async nextApp(match: (body: Buffer) => boolean, ms = 15_000): Promise<Buffer> {
    const deadline = Date.now() + ms;
    for (;;) {
      const hit = this.received.find((m) => m.kind === APP && match(m.body));
      if (hit) return hit.body;
      if (!this.session.peer.isOpen) throw new Error('the victim closed the session');
      if (Date.now() > deadline) throw new Error(`no matching APP message within ${ms} ms`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 50);
        this.waiters.push(() => (clearTimeout(t), resolve()));
      });
    }
  }

  close(): void {
    this.session.peer.destroy();
  }

  private async run(): Promise<void> {
    for (;;) {
      const f = await this.session.peer.nextFrame(600_000);
      if (f.type !== TRANSPORT) continue;
      const pt = this.session.receive.decryptWithAd(new Uint8Array(0), f.body);
      this.stream = Buffer.concat([this.stream, pt]);
      while (this.stream.length >= 5 && this.stream.length >= 4 + this.stream.readUInt32BE(0)) {
        const length = this.stream.readUInt32BE(0);
        const m = { kind: this.stream[4]!, body: Buffer.from(this.stream.subarray(5, 4 + length)) };
        this.stream = this.stream.subarray(4 + length);
        this.received.push(m);
        this.onMessage(m);
      }
      for (const w of this.waiters.splice(0)) w();
    }
  }

  private onMessage(m: ChannelMessage): void {
    if (m.kind === PING) this.session.sendRecord(channelMessage(PONG, m.body));
    if (m.kind === APP && m.body.length >= 5 && m.body[0]! >= 0x01 && m.body[0]! <= 0x0f) {
      const answer = this.respond(m.body);
      if (answer) this.sendApp(answer);
    }
  }
}
