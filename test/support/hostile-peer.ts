// A hostile MemCloud device, as its own process, for the end-to-end tests in real VS Code. It runs
// the real handshake with the identity in `home` and whatever `name` it is given (no check: see
// rawPayload), then, if admitted, speaks the RAM protocol as a holder that offers room and answers
// every STORE and LOAD with an error reply carrying `errorText`. It prints one JSON event per line:
//   {"event":"refused"}            the node sent ABORT or closed (the name was refused, or consent denied)
//   {"event":"admitted"}           the node sent HELLO; ours went back
//   {"event":"request","op":N}     a RAM request arrived (and was answered)
//   {"event":"closed"}             the session ended
// Usage: node --import tsx hostile-peer.ts '{"port":7797,"home":"/tmp/h","name":"...","errorText":"..."}'

import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadOrCreateIdentity } from '../../engine/identity/identity-file';
import { MessageKind } from '../../engine/net/constants';
import { decodePeerMessage, encodeError, encodeFreeReply, encodeListReply, encodeStatReply, Op } from '../../engine/cluster/peer-protocol';
import { ErrorCodes, MemCloudError } from '../../engine/errors';
import { HostileNoise, channelMessage, decodePayload, signedPayload, transportFrame } from './attacks/hostile-noise';
import { RawPeer } from './attacks/raw-peer';
import { HANDSHAKE, TRANSPORT, frame, preamble } from './attacks/wire-bytes';

interface Options {
  readonly port: number;
  readonly home: string;
  readonly name: string;
  readonly errorText?: string;
}

const opts = JSON.parse(process.argv[2] ?? '{}') as Options;
const say = (event: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(event)}\n`);
/** Consent is answered by a person clicking in the workbench: wait long for it. */
const ADMISSION_WAIT_MS = 180_000;
const GiB = 1024 ** 3;

async function connectWhenListening(port: number): Promise<RawPeer> {
  for (let i = 0; ; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect({ host: '127.0.0.1', port });
      s.once('connect', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });
    if (ok) return RawPeer.connect(port);
    if (i > 600) throw new Error(`nothing listens on 127.0.0.1:${port}`);
    await sleep(200);
  }
}

async function main(): Promise<void> {
  const identity = await loadOrCreateIdentity(opts.home);
  const pre = preamble();
  const noise = new HostileNoise(true, pre);
  const peer = await connectWhenListening(opts.port);
  peer.write(Buffer.concat([pre, frame(HANDSHAKE, noise.write())]));
  const msg2 = await peer.nextFrame(30_000);
  if (msg2.type !== HANDSHAKE) return void say({ event: 'refused' });
  decodePayload(noise.read(msg2.body).payload);
  peer.write(frame(HANDSHAKE, noise.write(signedPayload(identity, 'initiator', opts.name))));
  const { send, receive, channelId } = noise.split();
  let first;
  try {
    first = await peer.nextFrame(ADMISSION_WAIT_MS);
  } catch {
    return void say({ event: 'refused' });
  }
  if (first.type !== TRANSPORT) return void say({ event: 'refused' });
  const seal = (kind: number, body: Uint8Array) => peer.write(transportFrame(send, channelMessage(kind, body)));
  seal(MessageKind.HELLO, channelId);
  say({ event: 'admitted' });

  // The victim's HELLO was in that first record; from here on, messages may span records.
  let plain = Buffer.from(receive.decryptWithAd(new Uint8Array(0), first.body));
  let helloSeen = false;
  for (;;) {
    while (plain.length >= 5 && plain.length >= 4 + plain.readUInt32BE(0)) {
      const length = plain.readUInt32BE(0);
      const kind = plain[4]!;
      const body = plain.subarray(5, 4 + length);
      plain = plain.subarray(4 + length);
      if (kind === MessageKind.HELLO && !helloSeen) helloSeen = true;
      else if (kind === MessageKind.PING) seal(MessageKind.PONG, body);
      else if (kind === MessageKind.CLOSE) return void say({ event: 'closed' });
      else if (kind === MessageKind.APP) answer(Buffer.from(body), (reply) => seal(MessageKind.APP, reply));
    }
    let next;
    try {
      next = await peer.nextFrame(ADMISSION_WAIT_MS);
    } catch {
      return void say({ event: 'closed' });
    }
    if (next.type !== TRANSPORT) return void say({ event: 'closed' });
    plain = Buffer.concat([plain, receive.decryptWithAd(new Uint8Array(0), next.body)]);
  }
}

/** A holder with room that fails every write and read with the hostile text. */
function answer(body: Buffer, reply: (bytes: Uint8Array) => void): void {
  const msg = decodePeerMessage(body);
  if (msg.kind !== 'request') return;
  const r = msg.request;
  say({ event: 'request', op: r.op });
  const hostile = new MemCloudError(ErrorCodes.INTERNAL, opts.errorText ?? 'refused');
  switch (r.op) {
    case Op.STAT:
      return reply(encodeStatReply(r.id, { allowedBytes: GiB, usedBytes: 0, availableBytes: GiB }));
    case Op.LIST:
      return reply(encodeListReply(r.id, 0, []));
    case Op.FREE:
      return reply(encodeFreeReply(r.id, 0));
    case Op.STORE:
    case Op.LOAD:
      return reply(encodeError(r.op, r.id, hostile));
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`hostile-peer: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
