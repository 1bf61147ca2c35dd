// The CPU of the handshake itself, both roles, in one process (docs/protocol.md sections 3 and
// 13): the real performHandshake over an in-memory connection, all crypto inline on this thread,
// so process.cpuUsage() counts exactly the handshakes: a full XX (per side an ephemeral, three DH,
// an Ed25519 signature and a verification) against an NNpsk0 resumption (per side an ephemeral and
// one DH), the resumption's ticket derivation included; and the asymmetric primitives alone, whose
// costs set the lowest ratio any implementation of these two handshakes can reach.

import type { CryptoBackendName } from '../engine/crypto/backend-name';
import { loadBackend } from '../engine/crypto/backends';
import { DeviceIdentity } from '../engine/identity/device-identity';
import type { HandshakeResult } from '../engine/net/handshake';
import { duplexPair } from '../test/support/attacks/duplex-pair';
import { handshakeBetween, handshakeParty, resumeExtra, type HandshakeExtra, type HandshakeParty } from '../test/support/handshake-parties';

async function handshake(a: HandshakeParty, b: HandshakeParty, extra: HandshakeExtra): Promise<[HandshakeResult, HandshakeResult]> {
  const pair = duplexPair();
  const out = await handshakeBetween(a, b, pair.left, pair.right, extra);
  pair.left.destroy();
  return out;
}

function cpuNow(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

export interface HandshakeCpu {
  /** CPU per full handshake (both roles), microseconds. */
  readonly fullUs: number;
  /** CPU per resumption (both roles), microseconds. */
  readonly resumeUs: number;
  /** The asymmetric primitives alone, measured in the same run (see floorRatio). */
  readonly primitives: Primitives;
}

/** Microseconds per X25519 key generation, X25519 DH (imported key), Ed25519 sign and verify. */
export interface Primitives {
  readonly keygenUs: number;
  readonly dhUs: number;
  readonly signUs: number;
  readonly verifyUs: number;
}

/**
 * The lowest resume/full CPU ratio these primitives allow with no other cost at all: per side a
 * resumption needs a fresh ephemeral and one DH (forward secrecy on both sides), a full XX an
 * ephemeral, three DH, a signature and a verification (docs/performance.md, "Handshake CPU").
 */
export function floorRatio(p: Primitives): number {
  return (p.keygenUs + p.dhUs) / (p.keygenUs + 3 * p.dhUs + p.signUs + p.verifyUs);
}

async function primitives(name: CryptoBackendName, rounds: number): Promise<Primitives> {
  const { asym } = await loadBackend(name);
  const peer = asym.generateX25519();
  const key = asym.generateX25519();
  const seed = new Uint8Array(32).fill(7);
  const signer = asym.importEd25519(seed);
  const message = new Uint8Array(75).fill(1); // a signature message: context, role, h
  const signature = new Uint8Array(64);
  const out = new Uint8Array(32);
  const publicKey = new DeviceIdentity(seed, new Date().toISOString()).publicKey;
  const time = (f: () => void): number => {
    for (let i = 0; i < 5; i++) f();
    const c0 = cpuNow();
    for (let i = 0; i < rounds; i++) f();
    return (cpuNow() - c0) / rounds;
  };
  const keygenUs = time(() => asym.generateX25519().key.destroy());
  const dhUs = time(() => key.key.dh(peer.publicKey, out));
  const signUs = time(() => signer.sign(message, signature));
  const verifyUs = time(() => {
    if (!asym.ed25519Verify(publicKey, message, signature)) fail();
  });
  signer.destroy();
  key.key.destroy();
  peer.key.destroy();
  return { keygenUs, dhUs, signUs, verifyUs };
}

/**
 * Microseconds of CPU per handshake (both roles): full XX and resumption, on one backend. The two
 * kinds alternate, round by round, so a machine whose load changes during the run weighs on both
 * alike; the ratio of the two is the figure to read.
 */
export async function handshakeCpu(name: CryptoBackendName, rounds: number): Promise<HandshakeCpu> {
  const backend = await loadBackend(name);
  const a = handshakeParty(backend, 'alpha');
  const b = handshakeParty(backend, 'beta');
  const full: HandshakeExtra = { initiator: {}, responder: {} };
  let last = await handshake(a, b, full);
  const one = async (resumed: boolean): Promise<number> => {
    const c0 = cpuNow();
    last = await handshake(a, b, resumed ? resumeExtra(a, b, last) : full);
    const spent = cpuNow() - c0;
    if (last[0].resumed !== resumed) fail();
    return spent;
  };
  for (let i = 0; i < 5; i++) await one(i % 2 === 1); // warm-up
  let fullUs = 0;
  let resumeUs = 0;
  for (let i = 0; i < rounds; i++) {
    fullUs += await one(false);
    resumeUs += await one(true);
  }
  await a.crypto.close();
  await b.crypto.close();
  return { fullUs: fullUs / rounds, resumeUs: resumeUs / rounds, primitives: await primitives(name, rounds) };
}

function fail(): never {
  throw new Error('a handshake did not take the expected path');
}
