// One kind of handshake, many times, for a CPU profile of it (docs/performance.md, "Handshake
// CPU"): the real performHandshake, both roles in one process over an in-memory duplex, crypto
// inline, exactly as bench/resume-cpu.ts measures it. Run bundled (under tsx, noble's hashes run
// ~15x slower and the profile lies):
//   npm run build && node --cpu-prof --cpu-prof-interval=100 dist/bench-handshake-profile.js native resume 2000

import type { CryptoBackendName } from '../engine/crypto/backend-name';
import { loadBackend } from '../engine/crypto/backends';
import type { HandshakeResult } from '../engine/net/handshake';
import { duplexPair } from '../test/support/attacks/duplex-pair';
import { handshakeBetween, handshakeParty, resumeExtra, type HandshakeExtra } from '../test/support/handshake-parties';

async function main(): Promise<void> {
  const [backendArg = 'native', kind = 'full', roundsArg = '1000'] = process.argv.slice(2);
  if (!['native', 'portable', 'noble'].includes(backendArg) || !['full', 'resume'].includes(kind)) {
    throw new Error('usage: bench-handshake-profile.js native|portable|noble full|resume [rounds]');
  }
  const backend = await loadBackend(backendArg as CryptoBackendName);
  const a = handshakeParty(backend, 'alpha');
  const b = handshakeParty(backend, 'beta');
  const full: HandshakeExtra = { initiator: {}, responder: {} };
  const once = async (extra: HandshakeExtra): Promise<[HandshakeResult, HandshakeResult]> => {
    const pair = duplexPair();
    const out = await handshakeBetween(a, b, pair.left, pair.right, extra);
    pair.left.destroy();
    return out;
  };
  let last = await once(full);
  const rounds = Number(roundsArg);
  const c0 = process.cpuUsage();
  for (let i = 0; i < rounds; i++) {
    // A resumption needs the tickets of a session: the setup (resumeExtra) is counted, it is two HMACs.
    last = await once(kind === 'resume' ? resumeExtra(a, b, last) : full);
    if (last[0].resumed !== (kind === 'resume')) throw new Error('a handshake did not take the expected path');
  }
  const c = process.cpuUsage(c0);
  process.stdout.write(`${backendArg} ${kind}: ${Math.round((c.user + c.system) / rounds)} us CPU per handshake (both roles), ${rounds} rounds\n`);
  await a.crypto.close();
  await b.crypto.close();
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
