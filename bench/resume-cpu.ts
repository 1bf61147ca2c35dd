// The CPU of the handshake itself, both roles, in one process (docs/protocol.md sections 3 and
// 13): the real performHandshake over an in-memory connection, all crypto inline on this thread,
// so process.cpuUsage() counts exactly the handshakes: a full XX (per side an ephemeral, three DH,
// an Ed25519 signature and a verification) against an NNpsk0 resumption (per side an ephemeral and
// one DH), the resumption's ticket derivation included.

import type { CryptoBackendName } from '../engine/crypto/backend-name';
import { loadBackend } from '../engine/crypto/backends';
import { createCryptoSetup } from '../engine/crypto/setup';
import { DeviceIdentity } from '../engine/identity/device-identity';
import { performHandshake, type HandshakeOptions, type HandshakeResult } from '../engine/net/handshake';
import { TICKET_ID_LENGTH, ticketPsk } from '../engine/net/resume-wire';
import { WireConnection } from '../engine/net/wire-connection';
import { duplexPair } from '../test/support/attacks/duplex-pair';

type Extra = { initiator: Partial<HandshakeOptions>; responder: Partial<HandshakeOptions> };

async function parties(name: CryptoBackendName) {
  const backend = await loadBackend(name);
  const make = (n: string) => {
    const identity = DeviceIdentity.generate();
    const { secretKey, publicKey } = backend.asym.generateX25519();
    const staticKeyPair = { secretKey, publicKey };
    return { name: n, identity, staticKeyPair, crypto: createCryptoSetup(backend, identity, staticKeyPair, null).handshakeCrypto };
  };
  return { a: make('alpha'), b: make('beta') };
}

type Party = Awaited<ReturnType<typeof parties>>['a'];

async function handshake(a: Party, b: Party, extra: Extra): Promise<[HandshakeResult, HandshakeResult]> {
  const pair = duplexPair();
  const side = (p: Party, role: 'initiator' | 'responder', socket: typeof pair.left): Promise<HandshakeResult> =>
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
  const out = await Promise.all([side(a, 'initiator', pair.left), side(b, 'responder', pair.right)]);
  pair.left.destroy();
  return out;
}

function cpuNow(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

/** Microseconds of CPU per handshake (both roles): full XX and resumption, on one backend. */
export async function handshakeCpu(name: CryptoBackendName, rounds: number): Promise<{ fullUs: number; resumeUs: number }> {
  const { a, b } = await parties(name);
  const full: Extra = { initiator: {}, responder: {} };
  let [ia, rb] = await handshake(a, b, full);
  const resume = (): Extra => {
    // What a TICKET sets up on each side (section 13.3), done here inline.
    const id = new Uint8Array(TICKET_ID_LENGTH).map(() => Math.floor(Math.random() * 256));
    const pskI = ticketPsk(ia.resumptionSecret, id, a.identity.publicKey, b.identity.publicKey);
    const pskR = ticketPsk(rb.resumptionSecret, id, a.identity.publicKey, b.identity.publicKey);
    return {
      initiator: { resume: { id, psk: pskI, identityKey: b.identity.publicKey } },
      responder: { resumeResponder: () => ({ psk: pskR, identityKey: a.identity.publicKey }) },
    };
  };
  const measure = async (rounds: number, extra: () => Extra, check: (r: HandshakeResult) => void) => {
    for (let i = 0; i < 5; i++) [ia, rb] = await handshake(a, b, extra()); // warm-up
    const c0 = cpuNow();
    for (let i = 0; i < rounds; i++) {
      [ia, rb] = await handshake(a, b, extra());
      check(ia);
    }
    return (cpuNow() - c0) / rounds;
  };
  const fullUs = await measure(rounds, () => full, (r) => void (r.resumed && fail()));
  const resumeUs = await measure(rounds, resume, (r) => void (r.resumed || fail()));
  await a.crypto.close();
  await b.crypto.close();
  return { fullUs, resumeUs };
}

function fail(): never {
  throw new Error('a handshake did not take the expected path');
}
