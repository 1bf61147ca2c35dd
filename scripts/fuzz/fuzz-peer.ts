// The fuzzer's side of the wire, built from the attack tools of the test suite (their own Noise
// state and frame parser, independent of engine/net): connections from rotating loopback
// addresses (so the node's per-source limits do not throttle the fuzzer), handshakes with keys
// derived from the seed, sessions whose records the fuzzer seals itself, and a probe that tells
// whether the node still talks to us.

import { x25519 as nobleX25519 } from '@noble/curves/ed25519.js';
import type { CipherState } from '../../engine/crypto/noise/cipher-state';
import type { KeyPair } from '../../engine/crypto/noise/dh';
import { DeviceIdentity } from '../../engine/identity/device-identity';
import { HostileNoise, channelMessage, signedPayload } from '../../test/support/attacks/hostile-noise';
import { RawPeer } from '../../test/support/attacks/raw-peer';
import { ABORT, HANDSHAKE, TRANSPORT, frame, preamble } from '../../test/support/attacks/wire-bytes';
import type { Rng } from './rng';

export const PING = 3;
export const PONG = 4;
export const HELLO = 1;

let nextSource = 0;
/** 127.0.3.1 .. 127.0.3.250, in turn: each connection from its own "machine". */
export function nextLoopback(): string {
  nextSource = (nextSource % 250) + 1;
  return `127.0.3.${nextSource}`;
}

export function keyPair(rng: Rng): KeyPair {
  const secretKey = rng.bytes(32);
  return { secretKey, publicKey: nobleX25519.getPublicKey(secretKey) };
}

export function identity(rng: Rng): DeviceIdentity {
  return new DeviceIdentity(rng.bytes(32), '2026-01-01T00:00:00.000Z');
}

export function noise(rng: Rng): HostileNoise {
  return new HostileNoise(true, preamble(), keyPair(rng), () => keyPair(rng));
}

export async function connect(port: number): Promise<RawPeer> {
  return RawPeer.connect(port, nextLoopback());
}

/** What the node did after our last bytes: another frame, an ABORT, a close, or nothing in time. */
export type Reaction = 'frame' | 'abort' | 'closed' | 'silent';

export async function reaction(peer: RawPeer, ms: number): Promise<{ kind: Reaction; frame?: { type: number; body: Buffer } }> {
  try {
    const f = await peer.nextFrame(ms);
    return f.type === ABORT ? { kind: 'abort' } : { kind: 'frame', frame: f };
  } catch {
    return { kind: peer.isOpen ? 'silent' : 'closed' };
  }
}

/** An open session with the node: the handshake done honestly, HELLO both ways. */
export class FuzzSession {
  private stream = Buffer.alloc(0);
  private probes = 0;

  private constructor(
    readonly peer: RawPeer,
    readonly send: CipherState,
    readonly receive: CipherState,
    readonly channelId: Buffer,
  ) {}

  static async open(port: number, who: DeviceIdentity, rng: Rng): Promise<FuzzSession | null> {
    const n = noise(rng);
    const peer = await connect(port);
    peer.write(Buffer.concat([preamble(), frame(HANDSHAKE, n.write())]));
    const msg2 = await reaction(peer, 10_000);
    if (msg2.kind !== 'frame' || msg2.frame!.type !== HANDSHAKE) return (peer.destroy(), null);
    n.read(msg2.frame!.body);
    peer.write(frame(HANDSHAKE, n.write(signedPayload(who, 'initiator', 'fuzzer'))));
    const { send, receive, channelId } = n.split();
    const hello = await reaction(peer, 10_000);
    if (hello.kind !== 'frame' || hello.frame!.type !== TRANSPORT) return (peer.destroy(), null);
    const s = new FuzzSession(peer, send, receive, channelId);
    s.take(hello.frame!.body);
    s.sealed(channelMessage(HELLO, channelId));
    return s;
  }

  /** Seals `plaintext` into one record (any bytes: the fuzzer chooses) and writes it. */
  sealed(plaintext: Uint8Array): void {
    this.peer.write(frame(TRANSPORT, this.send.encryptWithAd(new Uint8Array(0), plaintext)));
  }

  /** Writes raw bytes as they are (e.g. a record whose ciphertext was mutated). */
  raw(bytes: Uint8Array): void {
    this.peer.write(bytes);
  }

  /** Sends a PING and reads until its PONG: true if the session still works, false once it ended. */
  async alive(ms = 10_000): Promise<boolean | 'slow'> {
    const body = Buffer.alloc(8);
    body.writeUInt32BE(0xf022, 0);
    body.writeUInt32BE(++this.probes, 4);
    this.sealed(channelMessage(PING, body));
    const deadline = Date.now() + ms;
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0) return 'slow';
      const r = await reaction(this.peer, left);
      if (r.kind === 'abort' || r.kind === 'closed') return false;
      if (r.kind === 'silent') return 'slow';
      if (r.frame!.type !== TRANSPORT) return false;
      if (this.take(r.frame!.body).some((m) => m.kind === PONG && m.body.equals(body))) return true;
    }
  }

  close(): void {
    this.peer.destroy();
  }

  /** Opens one of the node's records and splits what it completes into channel messages. */
  private take(record: Buffer): Array<{ kind: number; body: Buffer }> {
    this.stream = Buffer.concat([this.stream, this.receive.decryptWithAd(new Uint8Array(0), record)]);
    const out: Array<{ kind: number; body: Buffer }> = [];
    while (this.stream.length >= 5 && this.stream.length >= 4 + this.stream.readUInt32BE(0)) {
      const len = this.stream.readUInt32BE(0);
      out.push({ kind: this.stream[4]!, body: this.stream.subarray(5, 4 + len) });
      this.stream = this.stream.subarray(4 + len);
    }
    return out;
  }
}
