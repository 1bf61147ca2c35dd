// A hostile initiator over raw TCP: runs the MemCloud handshake with its own Noise state and
// whatever message 3 it chooses, then (optionally) the transport phase with its own records.

import assert from 'node:assert/strict';
import type { CipherState } from '../../../engine/crypto/noise/cipher-state';
import { DeviceIdentity } from '../../../engine/identity/device-identity';
import type { HandshakePayload } from '../../../engine/net/handshake-payload';
import { HostileNoise, channelMessage, decodePayload, signedPayload, transportFrame, type PayloadSource } from './hostile-noise';
import { RawPeer } from './raw-peer';
import { HANDSHAKE, TRANSPORT, frame, preamble } from './wire-bytes';

export interface HostileInitiatorOptions {
  readonly preamble?: Buffer;
  /** This attacker's identity; a fresh one by default. */
  readonly identity?: DeviceIdentity;
  readonly name?: string;
  /** Message 3's payload; by default an honest, correctly signed payload of `identity`. */
  readonly payload?: PayloadSource;
  /** Rewrites message 3 before it is framed (e.g. truncation). */
  readonly editMessage3?: (message: Buffer) => Buffer;
  /** The bytes written for message 3; by default its whole HANDSHAKE frame. */
  readonly frameMessage3?: (message: Buffer) => Buffer;
  /** The loopback address to connect from. */
  readonly localAddress?: string;
}

export interface HostileHandshake {
  readonly peer: RawPeer;
  readonly noise: HostileNoise;
  readonly identity: DeviceIdentity;
  /** What the responder revealed in message 2. */
  readonly responder: HandshakePayload;
  readonly message3: Buffer;
}

/** Sends preamble and message 1, reads message 2, sends message 3; does not wait for the verdict. */
export async function hostileHandshake(port: number, opts: HostileInitiatorOptions = {}): Promise<HostileHandshake> {
  const identity = opts.identity ?? DeviceIdentity.generate();
  const pre = opts.preamble ?? preamble();
  const noise = new HostileNoise(true, pre);
  const peer = await RawPeer.connect(port, opts.localAddress);
  peer.write(Buffer.concat([pre, frame(HANDSHAKE, noise.write())]));
  const msg2 = await peer.nextFrame();
  assert.equal(msg2.type, HANDSHAKE, 'the responder answers message 1 with message 2');
  const responder = decodePayload(noise.read(msg2.body).payload);
  let message3 = noise.write(opts.payload ?? signedPayload(identity, 'initiator', opts.name));
  if (opts.editMessage3) message3 = opts.editMessage3(message3);
  peer.write(opts.frameMessage3 ? opts.frameMessage3(message3) : frame(HANDSHAKE, message3));
  return { peer, noise, identity, responder, message3 };
}

export interface HostileSession extends HostileHandshake {
  readonly send: CipherState;
  readonly receive: CipherState;
  readonly channelId: Buffer;
  /** The last TRANSPORT frame sendRecord() wrote (for replays). */
  lastRecord: Buffer | null;
  /** Seals one plaintext (any channel messages) into the next record and writes it. */
  sendRecord(plaintext: Uint8Array): void;
}

export interface HostileSessionOptions extends HostileInitiatorOptions {
  /** The first record's plaintext instead of an honest HELLO; null sends nothing. */
  readonly hello?: (channelId: Buffer) => Uint8Array | null;
}

/** A complete session from the attacker's side: the victim's HELLO arrived and ours went out. */
export async function hostileSession(port: number, opts: HostileSessionOptions = {}): Promise<HostileSession> {
  const hs = await hostileHandshake(port, opts);
  const { send, receive, channelId } = hs.noise.split();
  const hello = await hs.peer.nextFrame();
  assert.equal(hello.type, TRANSPORT, 'the victim admitted us and sent HELLO');
  const plaintext = receive.decryptWithAd(new Uint8Array(0), hello.body);
  assert.deepEqual(Buffer.from(plaintext), channelMessage(1, channelId), 'HELLO carries the channel id');
  const session: HostileSession = {
    ...hs,
    send,
    receive,
    channelId,
    lastRecord: null,
    sendRecord(pt) {
      session.lastRecord = transportFrame(send, pt);
      hs.peer.write(session.lastRecord);
    },
  };
  const first = opts.hello ? opts.hello(channelId) : channelMessage(1, channelId);
  if (first) session.sendRecord(first);
  return session;
}
