// The attacker's own Noise XX state, built on the engine's Noise core, so it can produce
// valid-looking MemCloud handshake messages with any payload it likes: someone else's identity key,
// a signature by the wrong key, a copied signature, a truncated message.

import { createHash } from 'node:crypto';
import { nobleChaChaPoly } from '../noise-kit';
import type { CipherState } from '../../../engine/crypto/noise/cipher-state';
import { x25519 } from '../noise-kit';
import { type KeyPair } from '../../../engine/crypto/noise/dh';
import { HandshakeState, type ReadResult } from '../../../engine/crypto/noise/handshake-state';
import { SHA256 } from '../../../engine/crypto/noise/hash';
import type { DeviceIdentity } from '../../../engine/identity/device-identity';
import { decodePayload, encodePayload, signatureMessage, type HandshakeRole } from '../../../engine/net/handshake-payload';
import { TRANSPORT, frame } from './wire-bytes';

export type PayloadSource = Uint8Array | ((handshakeHash: Uint8Array) => Uint8Array);

export class HostileNoise {
  readonly state: HandshakeState;

  constructor(
    initiator: boolean,
    preamble: Uint8Array,
    staticKeyPair: KeyPair = x25519.generateKeyPair(),
    /** Where ephemeral key pairs come from (a fuzzer derives them from its seed). */
    private readonly ephemeral: () => KeyPair = () => x25519.generateKeyPair(),
  ) {
    this.state = new HandshakeState({
      pattern: 'XX',
      initiator,
      prologue: Buffer.concat([Buffer.from('MemCloud', 'ascii'), preamble]),
      hash: SHA256,
      cipher: nobleChaChaPoly,
      dh: x25519,
      s: staticKeyPair,
    });
  }

  /** Writes the next message; a function payload is given h as it stands before the payload. */
  write(payload: PayloadSource = new Uint8Array(0)): Buffer {
    const steps = this.state.writeSteps();
    let step = steps.next();
    while (!step.done) {
      const req = step.value;
      if (req.kind === 'ephemeral') step = steps.next(this.ephemeral());
      else if (req.kind === 'dh') step = steps.next(x25519.dh(req.secretKey, req.publicKey));
      else step = steps.next(typeof payload === 'function' ? payload(req.handshakeHash) : payload);
    }
    return Buffer.from(step.value);
  }

  read(message: Uint8Array): ReadResult {
    const steps = this.state.readSteps(message);
    let step = steps.next();
    while (!step.done) {
      const req = step.value;
      if (req.kind !== 'dh') throw new Error(`unexpected ${req.kind} request while reading`);
      step = steps.next(x25519.dh(req.secretKey, req.publicKey));
    }
    return step.value;
  }

  /** Split (docs/protocol.md section 3.6): the transport states and the channel id for HELLO. */
  split(): { send: CipherState; receive: CipherState; channelId: Buffer } {
    const { send, receive, handshakeHash } = this.state.split();
    const channelId = createHash('sha256').update('memcloud/v1/channel-id', 'ascii').update(handshakeHash).digest();
    return { send, receive, channelId };
  }
}

export interface PayloadFields {
  readonly identityKey: Uint8Array;
  readonly signature: Uint8Array;
  readonly name?: string;
  readonly offeredBytes?: number;
}

export function payload(fields: PayloadFields): Uint8Array {
  return encodePayload({ protocolVersion: 1, offeredBytes: 0, name: 'mallory', ...fields });
}

/**
 * The payload's bytes laid out by hand (docs/protocol.md section 3.3), with no check of the name: an
 * attacker sends whatever name it likes, and the victim's decoder must refuse what breaks the rule.
 */
export function rawPayload(fields: PayloadFields): Uint8Array {
  const name = Buffer.from(fields.name ?? 'mallory', 'utf8');
  const b = Buffer.alloc(108 + name.length);
  b[0] = 1;
  b.writeUInt16BE(1, 1);
  b.set(fields.identityKey, 3);
  b.set(fields.signature, 35);
  b.writeBigUInt64BE(BigInt(fields.offeredBytes ?? 0), 99);
  b[107] = name.length & 0xff;
  name.copy(b, 108);
  return b;
}

/** A correctly signed payload for `identity`, over h for `role`, carrying any name (unchecked). */
export function signedPayload(identity: DeviceIdentity, role: HandshakeRole, name = 'mallory'): (h: Uint8Array) => Uint8Array {
  return (h) => rawPayload({ identityKey: identity.publicKey, signature: identity.sign(signatureMessage(role, h)), name });
}

export { decodePayload };

/** One channel message (docs/protocol.md section 6), its length field as given or honest. */
export function channelMessage(kind: number, body: Uint8Array, length = body.length + 1): Buffer {
  const header = Buffer.alloc(5);
  header.writeUInt32BE(length, 0);
  header[4] = kind;
  return Buffer.concat([header, body]);
}

/** A TRANSPORT frame sealing `plaintext` with the attacker's next send nonce. */
export function transportFrame(send: CipherState, plaintext: Uint8Array): Buffer {
  return frame(TRANSPORT, send.encryptWithAd(new Uint8Array(0), plaintext));
}
