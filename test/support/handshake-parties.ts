// Two devices that run the real performHandshake against each other, each with its own identity,
// Noise static key and the backend's inline handshake crypto, over any connected pair of streams
// (an in-memory duplex pair, or two ends of a TCP connection). Shared by the handshake CPU benchmark
// (bench/resume-cpu.ts) and tests that count what the handshake does.

import type { Duplex } from 'node:stream';
import type { CryptoBackend } from '../../engine/crypto/backends';
import type { HandshakeCrypto } from '../../engine/crypto/handshake/handshake-crypto';
import type { KeyPair } from '../../engine/crypto/noise/dh';
import { createCryptoSetup } from '../../engine/crypto/setup';
import { DeviceIdentity } from '../../engine/identity/device-identity';
import { performHandshake, type HandshakeOptions, type HandshakeResult } from '../../engine/net/handshake';
import { TICKET_ID_LENGTH, ticketPsk } from '../../engine/net/resume-wire';
import { WireConnection } from '../../engine/net/wire-connection';

export interface HandshakeParty {
  readonly name: string;
  readonly identity: DeviceIdentity;
  readonly staticKeyPair: KeyPair;
  readonly crypto: HandshakeCrypto;
}

/** Options one side adds to its performHandshake (a ticket to resume with, a responder's grant). */
export type HandshakeExtra = { initiator: Partial<HandshakeOptions>; responder: Partial<HandshakeOptions> };

export function handshakeParty(backend: CryptoBackend, name: string): HandshakeParty {
  const identity = DeviceIdentity.generate();
  const { secretKey, publicKey } = backend.asym.generateX25519();
  const staticKeyPair = { secretKey, publicKey };
  return { name, identity, staticKeyPair, crypto: createCryptoSetup(backend, identity, staticKeyPair, null).handshakeCrypto };
}

/** a initiates over `initiatorEnd`, b responds over `responderEnd`; both results, or the first failure. */
export function handshakeBetween(a: HandshakeParty, b: HandshakeParty, initiatorEnd: Duplex, responderEnd: Duplex, extra: HandshakeExtra): Promise<[HandshakeResult, HandshakeResult]> {
  const side = (p: HandshakeParty, role: 'initiator' | 'responder', socket: Duplex): Promise<HandshakeResult> =>
    performHandshake({
      role,
      connection: new WireConnection(socket, { expectPreamble: role === 'responder' }),
      crypto: p.crypto,
      staticKeyPair: p.staticKeyPair,
      identityKey: p.identity.publicKey,
      name: p.name,
      offeredBytes: 1,
      acceptTickets: true,
      ...extra[role],
    });
  return Promise.all([side(a, 'initiator', initiatorEnd), side(b, 'responder', responderEnd)]);
}

/**
 * What a TICKET sets up on both sides (docs/protocol.md section 13.3), done directly: a fresh ticket
 * id, each side's psk from its resumption secret of `previous`, b's grant of it.
 */
export function resumeExtra(a: HandshakeParty, b: HandshakeParty, previous: readonly [HandshakeResult, HandshakeResult]): HandshakeExtra {
  const id = new Uint8Array(TICKET_ID_LENGTH).map(() => Math.floor(Math.random() * 256));
  const psk = (secret: Uint8Array) => ticketPsk(secret, id, a.identity.publicKey, b.identity.publicKey);
  const pskR = psk(previous[1].resumptionSecret);
  return {
    initiator: { resume: { id, psk: psk(previous[0].resumptionSecret), identityKey: b.identity.publicKey } },
    responder: { resumeResponder: () => ({ psk: pskR, identityKey: a.identity.publicKey }) },
  };
}
