// One kind of handshake, many times, for a CPU profile of it (docs/performance.md, "Handshake
// CPU"): the real performHandshake with the backend's inline crypto, as bench/resume-cpu.ts runs it.
//   both roles in one process, over an in-memory duplex (what bench/resume-cpu.ts measures):
//     node --cpu-prof --cpu-prof-interval=100 dist/bench-handshake-profile.js native resume 2000
//   one role per process over TCP on 127.0.0.1 (the responder is a child process; each prints its
//   own CPU per handshake, sockets included, and with --cpu-prof-dir writes its own profile):
//     node --cpu-prof --cpu-prof-dir=prof dist/bench-handshake-profile.js native full 2000 --tcp
// Run bundled: under tsx, noble's hashes run ~15x slower and the profile lies.

import { spawn } from 'node:child_process';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import type { CryptoBackendName } from '../engine/crypto/backend-name';
import { loadBackend } from '../engine/crypto/backends';
import { performHandshake, type HandshakeResult } from '../engine/net/handshake';
import { ticketPsk, TICKET_ID_LENGTH } from '../engine/net/resume-wire';
import { WireConnection } from '../engine/net/wire-connection';
import { duplexPair } from '../test/support/attacks/duplex-pair';
import { handshakeBetween, handshakeParty, resumeExtra, type HandshakeExtra, type HandshakeParty } from '../test/support/handshake-parties';

const WARM_UP = 20;
type Kind = 'full' | 'resume';

function cpuUs(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

function report(what: string, spentUs: number, rounds: number): void {
  process.stdout.write(`${what}: ${Math.round(spentUs / rounds)} us CPU per handshake, ${rounds} rounds\n`);
}

async function inMemory(party: () => HandshakeParty, kind: Kind, rounds: number, label: string): Promise<void> {
  const a = party();
  const b = party();
  const full: HandshakeExtra = { initiator: {}, responder: {} };
  const once = async (extra: HandshakeExtra): Promise<[HandshakeResult, HandshakeResult]> => {
    const pair = duplexPair();
    const out = await handshakeBetween(a, b, pair.left, pair.right, extra);
    pair.left.destroy();
    return out;
  };
  let last = await once(full);
  const c0 = cpuUs();
  for (let i = 0; i < rounds; i++) {
    // A resumption needs the tickets of a session: their setup (resumeExtra, two HMACs) is counted.
    last = await once(kind === 'resume' ? resumeExtra(a, b, last) : full);
    if (last[0].resumed !== (kind === 'resume')) throw new Error('a handshake did not take the expected path');
  }
  report(`${label} (both roles)`, cpuUs() - c0, rounds);
  await a.crypto.close();
  await b.crypto.close();
}

/** Both sides name the next ticket after the session's handshake hash, and derive its psk as a TICKET would. */
function nextTicket(result: HandshakeResult, initiatorKey: Uint8Array, responderKey: Uint8Array): { id: Uint8Array; psk: Uint8Array } {
  const id = result.handshakeHash.slice(0, TICKET_ID_LENGTH);
  return { id, psk: ticketPsk(result.resumptionSecret, id, initiatorKey, responderKey) };
}

function options(p: HandshakeParty, role: 'initiator' | 'responder', socket: Socket) {
  const connection = new WireConnection(socket, { expectPreamble: role === 'responder' });
  return { role, connection, crypto: p.crypto, staticKeyPair: p.staticKeyPair, identityKey: p.identity.publicKey, name: p.name, offeredBytes: 1, acceptTickets: true } as const;
}

async function responderProcess(me: HandshakeParty, initiatorKey: Uint8Array, kind: Kind, rounds: number, label: string): Promise<void> {
  const grants = new Map<string, Uint8Array>();
  let done = 0;
  let c0 = 0;
  const server = createServer((socket) => {
    const opts = options(me, 'responder', socket);
    void performHandshake({
      ...opts,
      resumeResponder: (id) => {
        const psk = grants.get(Buffer.from(id).toString('hex'));
        grants.delete(Buffer.from(id).toString('hex'));
        return psk ? { psk, identityKey: initiatorKey } : null;
      },
    }).then((result) => {
      if (result.resumed !== (kind === 'resume' && done > 0)) throw new Error('a handshake did not take the expected path');
      const t = nextTicket(result, initiatorKey, me.identity.publicKey);
      grants.set(Buffer.from(t.id).toString('hex'), t.psk);
      opts.connection.close(null);
      if (++done === WARM_UP) c0 = cpuUs();
      if (done === WARM_UP + rounds) {
        report(`${label} responder (TCP)`, cpuUs() - c0, rounds);
        server.close();
        void me.crypto.close();
      }
    });
  });
  server.listen(0, '127.0.0.1', () => {
    process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port, key: Buffer.from(me.identity.publicKey).toString('hex') })}\n`);
  });
}

async function initiatorProcess(me: HandshakeParty, backendName: string, kind: Kind, rounds: number, label: string): Promise<void> {
  const child = spawn(process.execPath, [...process.execArgv, __filename, backendName, kind, String(rounds), '--responder', Buffer.from(me.identity.publicKey).toString('hex')], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  const first = await new Promise<string>((resolve) => lines.once('line', resolve));
  lines.on('line', (l) => process.stdout.write(`${l}\n`));
  const { port, key } = JSON.parse(first) as { port: number; key: string };
  const responderKey = new Uint8Array(Buffer.from(key, 'hex'));
  let ticket: { id: Uint8Array; psk: Uint8Array } | null = null;
  let c0 = 0;
  for (let i = 0; i < WARM_UP + rounds; i++) {
    if (i === WARM_UP) c0 = cpuUs();
    const socket = connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    const result = await performHandshake({ ...options(me, 'initiator', socket), ...(ticket && kind === 'resume' ? { resume: { ...ticket, identityKey: responderKey } } : {}) });
    ticket = nextTicket(result, me.identity.publicKey, responderKey);
    await closed; // the responder closes once its side is done
  }
  report(`${label} initiator (TCP)`, cpuUs() - c0, rounds);
  await me.crypto.close();
  await new Promise((resolve) => child.once('exit', resolve));
}

async function main(): Promise<void> {
  const [backendName = 'native', kindArg = 'full', roundsArg = '1000', ...flags] = process.argv.slice(2);
  if (!['native', 'portable', 'noble'].includes(backendName) || !['full', 'resume'].includes(kindArg)) {
    throw new Error('usage: bench-handshake-profile.js native|portable|noble full|resume [rounds] [--tcp]');
  }
  const kind = kindArg as Kind;
  const backend = await loadBackend(backendName as CryptoBackendName);
  const party = () => handshakeParty(backend, 'bench');
  const rounds = Number(roundsArg);
  const label = `${backendName} ${kind}`;
  const responderAt = flags.indexOf('--responder');
  if (responderAt >= 0) return responderProcess(party(), new Uint8Array(Buffer.from(flags[responderAt + 1]!, 'hex')), kind, rounds, label);
  if (flags.includes('--tcp')) return initiatorProcess(party(), backendName, kind, rounds, label);
  return inMemory(party, kind, rounds, label);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
