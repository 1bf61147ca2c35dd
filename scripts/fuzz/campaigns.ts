// The four kinds of mutated input (docs/protocol.md): raw bytes before authentication, handshake
// message 3 (its frame, its ciphertext, or its payload re-encrypted so it passes the AEAD), channel
// messages inside a valid session (sealed by us, so they reach the node's parser), and RAM-protocol
// messages inside a valid session. Each campaign counts mutated messages sent and what went wrong.

import { channelMessage, payload } from '../../test/support/attacks/hostile-noise';
import { ramMessage } from '../../test/support/attacks/hostile-ram-peer';
import { HANDSHAKE, TRANSPORT, frame, preamble } from '../../test/support/attacks/wire-bytes';
import { signatureMessage } from '../../engine/net/handshake-payload';
import type { DeviceIdentity } from '../../engine/identity/device-identity';
import { MAX_RECORD_PLAINTEXT } from '../../engine/net/constants';
import { FuzzSession, HELLO, PING, PONG, connect, noise, reaction } from './fuzz-peer';
import { mutate, type Field } from './mutate';
import type { Rng } from './rng';

export interface Tally {
  sent: number;
  /** The node admitted (sent HELLO to) a handshake it had to refuse. */
  accepted: string[];
  sessions: number;
  /** Probes that got no answer in time (the session was dropped on our side). */
  slow: number;
}

export interface CampaignContext {
  readonly port: number;
  /** Identities the node trusts: one per session worker. */
  readonly trusted: readonly DeviceIdentity[];
  readonly untrusted: readonly DeviceIdentity[];
  readonly tally: Tally;
  /** Stops the run early (the node died). */
  readonly stopped: () => boolean;
}

const LENGTH_FIELD: Field = { at: 0, width: 4 };

// ---- raw bytes before authentication ---------------------------------------------------------

export async function preAuth(ctx: CampaignContext, rng: Rng, count: number): Promise<void> {
  for (let i = 0; i < count && !ctx.stopped(); i++) {
    const valid = Buffer.concat([preamble(), frame(HANDSHAKE, noise(rng).write())]);
    const { out } = mutate(rng, valid, [{ at: 4, width: 2 }, { at: 6, width: 2 }, { at: 8, width: 4 }, { at: 12, width: 1 }]);
    const peer = await connect(ctx.port);
    peer.write(out);
    ctx.tally.sent++;
    await reaction(peer, 200);
    peer.destroy();
  }
}

// ---- handshake message 3 ---------------------------------------------------------------------

/** Offsets in the identity payload: format, version, key, signature are below 99 (section 3.3). */
const PAYLOAD_SIGNED_PART = 99;
const MAX_PAYLOAD_IN_MESSAGE_3 = 65535 - 48 - 16;
const PAYLOAD_FIELDS: Field[] = [{ at: 0, width: 1 }, { at: 1, width: 2 }, { at: 99, width: 8 }, { at: 107, width: 1 }];

export async function handshakes(ctx: CampaignContext, rng: Rng, count: number): Promise<void> {
  let refusedInARow = 0;
  for (let i = 0; i < count && !ctx.stopped(); ) {
    const trusted = rng.chance(0.5);
    const who = trusted ? rng.pick(ctx.trusted) : rng.pick(ctx.untrusted);
    const n = noise(rng);
    const peer = await connect(ctx.port);
    peer.write(Buffer.concat([preamble(), frame(HANDSHAKE, n.write())]));
    const msg2 = await reaction(peer, 10_000);
    if (msg2.kind !== 'frame' || msg2.frame!.type !== HANDSHAKE) {
      peer.destroy();
      // Refused before message 2 (a limit): try again, but not for ever.
      if (++refusedInARow > 20) throw new Error('handshake worker: the node refused message 1 20 times in a row');
      await new Promise((r) => setTimeout(r, 200));
      continue;
    }
    refusedInARow = 0;
    n.read(msg2.frame!.body);
    let mustRefuse = !trusted;
    let bytes: Buffer;
    const mode = rng.int(3);
    if (mode === 0) {
      // The payload itself, mutated, then encrypted properly: it reaches the payload parser.
      let malformed = false;
      const message3 = n.write((h) => {
        const honest = payload({ identityKey: who.publicKey, signature: who.sign(signatureMessage('initiator', h)), name: 'fuzzer' });
        // At most what one Noise message can carry after ENC(s) and the payload's tag.
        const out = mutate(rng, honest, PAYLOAD_FIELDS).out.subarray(0, MAX_PAYLOAD_IN_MESSAGE_3);
        malformed = out.length < PAYLOAD_SIGNED_PART || !out.subarray(0, PAYLOAD_SIGNED_PART).equals(Buffer.from(honest).subarray(0, PAYLOAD_SIGNED_PART));
        // Section 3.3: exactly 108 + N bytes, N in 1..64; anything else is malformed whatever it signs.
        malformed ||= out.length < 108 || out[107]! < 1 || out[107]! > 64 || out.length !== 108 + out[107]!;
        return out;
      });
      mustRefuse ||= malformed;
      bytes = frame(HANDSHAKE, message3);
    } else {
      const honest = n.write((h) => payload({ identityKey: who.publicKey, signature: who.sign(signatureMessage('initiator', h)), name: 'fuzzer' }));
      const whole = frame(HANDSHAKE, honest);
      const { out } = mode === 1 ? mutate(rng, honest) : mutate(rng, whole, [LENGTH_FIELD, { at: 4, width: 1 }]);
      bytes = mode === 1 ? frame(HANDSHAKE, out) : out;
      // Bytes after an intact message 3 belong to the session: the handshake itself may succeed.
      mustRefuse ||= bytes.length < whole.length || !bytes.subarray(0, whole.length).equals(whole);
    }
    peer.write(bytes);
    ctx.tally.sent++;
    i++;
    const verdict = await reaction(peer, 1500);
    if (verdict.kind === 'frame' && verdict.frame!.type === TRANSPORT) {
      const { receive, channelId } = n.split();
      let hello = false;
      try {
        const pt = receive.decryptWithAd(new Uint8Array(0), verdict.frame!.body);
        hello = Buffer.from(pt).equals(channelMessage(HELLO, channelId));
      } catch {
        hello = false;
      }
      if (hello && mustRefuse) ctx.tally.accepted.push(`handshake ${i - 1} of worker ${rng.seed}: ${trusted ? 'trusted key, mutated' : 'untrusted key'} admitted`);
    }
    peer.destroy();
  }
}

// ---- inside a session: channel messages and RAM messages --------------------------------------

const BLOCK = Buffer.from('00112233445566778899aabbccddeeff', 'hex');

const ram = ramMessage;

function u64(v: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(v));
  return b;
}

/** Valid RAM messages of every kind, to mutate (section 7). */
function ramTemplate(rng: Rng, id: number): { message: Buffer; fields: Field[] } {
  const idField: Field = { at: 1, width: 4 };
  switch (rng.int(10)) {
    case 0:
      return { message: ram(0x01, id, Buffer.concat([rng.bytes(16), Buffer.of(rng.int(2)), rng.bytes(rng.int(2048))])), fields: [idField, { at: 21, width: 1 }] };
    case 1:
      return { message: ram(0x02, id, rng.chance(0.5) ? BLOCK : rng.bytes(16)), fields: [idField] };
    case 2: {
      const n = rng.between(1, 4);
      return { message: ram(0x03, id, Buffer.concat([Buffer.from([0, n]), ...Array.from({ length: n }, () => rng.bytes(16))])), fields: [idField, { at: 5, width: 2 }] };
    }
    case 3:
      return { message: ram(0x04, id), fields: [idField] };
    case 4:
      return { message: ram(0x05, id, rng.bytes(rng.int(8))), fields: [idField, { at: 5, width: 4 }, { at: 9, width: 2 }] };
    case 5:
      return { message: ram(0x10, 0), fields: [idField] };
    case 6: {
      const n = rng.between(1, 3);
      return { message: ram(0x11, 0, Buffer.concat([Buffer.from([0, n]), ...Array.from({ length: n }, () => rng.bytes(16))])), fields: [idField, { at: 5, width: 2 }] };
    }
    case 7:
      return { message: ram(0x12, 0, u64(rng.int(1 << 30))), fields: [idField, { at: 5, width: 8 }] };
    case 8: // a reply to something the node may or may not have asked
      return { message: ram(0x80 | rng.between(1, 5), rng.between(1, 8), Buffer.concat([Buffer.of(rng.int(8)), rng.bytes(rng.int(40))])), fields: [idField, { at: 5, width: 1 }] };
    default: // an error reply with long or odd text
      return { message: ram(0x84, rng.between(1, 8), Buffer.concat([Buffer.of(5), rng.bytes(rng.between(0, 600))])), fields: [idField] };
  }
}

/** Valid channel message sequences, to mutate at the channel layer (section 6). */
function channelTemplate(rng: Rng, s: FuzzSession, id: number): Buffer {
  switch (rng.int(6)) {
    case 0:
      return channelMessage(PING, rng.bytes(8));
    case 1:
      return channelMessage(PONG, rng.bytes(8));
    case 2:
      return channelMessage(HELLO, s.channelId);
    case 3:
      return channelMessage(2, Buffer.of(rng.int(3)));
    case 4:
      return Buffer.concat([channelMessage(0, ram(0x04, id)), channelMessage(PING, rng.bytes(8))]);
    default:
      return channelMessage(0, ramTemplate(rng, id).message);
  }
}

/** Sends `plaintext` sealed in one record, or in several, or with a ciphertext byte flipped. */
function sealAndSend(rng: Rng, s: FuzzSession, plaintext: Buffer): void {
  const r = rng.int(10);
  if (r === 0 && plaintext.length > 1) {
    // A message cut at a random point across records; a part longer than a record takes several.
    const cut = rng.between(1, plaintext.length - 1);
    sealInRecords(s, plaintext.subarray(0, cut));
    sealInRecords(s, plaintext.subarray(cut));
  } else if (r === 1) {
    const record = Buffer.from(s.send.encryptWithAd(new Uint8Array(0), plaintext.subarray(0, MAX_RECORD_PLAINTEXT)));
    if (record.length > 0) record[rng.int(record.length)] ^= 1 << rng.int(8);
    s.raw(frame(TRANSPORT, record));
  } else {
    sealInRecords(s, plaintext);
  }
}

function sealInRecords(s: FuzzSession, bytes: Buffer): void {
  for (let at = 0; at < bytes.length || at === 0; at += MAX_RECORD_PLAINTEXT) s.sealed(bytes.subarray(at, at + MAX_RECORD_PLAINTEXT));
}

/** One worker: a session as `who`, mutated messages until the node closes it, then a new one. */
export async function inSession(ctx: CampaignContext, rng: Rng, who: DeviceIdentity, count: number, layer: 'channel' | 'ram'): Promise<void> {
  let id = 1;
  let failedOpens = 0;
  for (let i = 0; i < count && !ctx.stopped(); ) {
    const session = await FuzzSession.open(ctx.port, who, rng);
    if (!session) {
      if (++failedOpens > 20) throw new Error(`${layer} worker: the node refused 20 sessions in a row`);
      await new Promise((r) => setTimeout(r, 200));
      continue;
    }
    failedOpens = 0;
    ctx.tally.sessions++;
    let live: boolean | 'slow' = true;
    while (live === true && i < count && !ctx.stopped()) {
      id = id >= 0xfffffff0 ? 1 : id + 1;
      let plaintext: Buffer;
      if (layer === 'ram') {
        const t = ramTemplate(rng, id);
        plaintext = channelMessage(0, rng.chance(0.85) ? mutate(rng, t.message, t.fields).out : t.message);
      } else {
        plaintext = mutate(rng, channelTemplate(rng, session, id), [LENGTH_FIELD, { at: 4, width: 1 }]).out;
      }
      sealAndSend(rng, session, plaintext);
      ctx.tally.sent++;
      i++;
      // A message announced longer than what was sent would swallow the probe: start afresh instead.
      live = endsInsideMessage(plaintext) ? false : await session.alive();
    }
    if (live === 'slow') ctx.tally.slow++;
    session.close();
  }
}

/** True when the last channel message in `plaintext` announces more bytes than follow it. */
function endsInsideMessage(plaintext: Buffer): boolean {
  let at = 0;
  while (at + 4 <= plaintext.length) {
    const length = plaintext.readUInt32BE(at);
    if (length === 0) return false; // refused at once
    if (at + 4 + length > plaintext.length) return true;
    at += 4 + length;
  }
  return at < plaintext.length; // a partial header
}
