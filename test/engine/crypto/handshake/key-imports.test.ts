// The inline handshake crypto imports each key at most once (an import costs about as much as the
// DH itself, docs/performance.md "Handshake CPU"): our static key when it is set up, each
// ephemeral when it is made. Full handshakes and resumptions over real TCP on 127.0.0.1, with the
// initiator's ephemeral made before connecting as the session manager does, on the two backends
// that run their handshake inline; every DH goes to a key handle, none to a fresh import.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';
import type { AsymBackend } from '../../../../engine/crypto/asym/asym';
import { loadBackend, type CryptoBackend } from '../../../../engine/crypto/backends';
import type { CryptoBackendName } from '../../../../engine/crypto/backend-name';
import type { HandshakeResult } from '../../../../engine/net/handshake';
import { handshakeBetween, handshakeParty, resumeExtra, type HandshakeExtra } from '../../../support/handshake-parties';

/** The backend with its X25519 secret-key imports counted. */
function counting(b: CryptoBackend): { backend: CryptoBackend; counts: { imports: number } } {
  const counts = { imports: 0 };
  const asym: AsymBackend = {
    ...b.asym,
    importX25519: (secret) => (counts.imports++, b.asym.importX25519(secret)),
  };
  return { backend: { ...b, asym }, counts };
}

async function tcpPair(): Promise<[Socket, Socket]> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const accepted = once(server, 'connection');
  const client = connect((server.address() as AddressInfo).port, '127.0.0.1');
  const [[serverSide]] = await Promise.all([accepted, once(client, 'connect')]);
  server.close();
  return [client, serverSide as Socket];
}

for (const name of ['native', 'portable'] as CryptoBackendName[]) {
  describe(`inline handshake crypto, ${name}`, () => {
    test('full handshakes and resumptions over TCP: no DH ever imports a key', async () => {
      const { backend, counts } = counting(await loadBackend(name));
      const a = handshakeParty(backend, 'alpha');
      const b = handshakeParty(backend, 'beta');
      const imports = counts.imports; // the two static keys, imported once when each crypto was set up
      const run = async (previous: [HandshakeResult, HandshakeResult] | null) => {
        const extra: HandshakeExtra = previous ? resumeExtra(a, b, previous) : { initiator: {}, responder: {} };
        // The initiator's ephemeral is made before it connects, as SessionManager.dial does.
        extra.initiator = { ...extra.initiator, ephemeral: await a.crypto.ephemeral() };
        const [client, server] = await tcpPair();
        try {
          const out = await handshakeBetween(a, b, client, server, extra);
          assert.equal(out[0].resumed, previous !== null);
          assert.equal(out[1].resumed, previous !== null);
          assert.deepEqual(out[0].sendKey, out[1].receiveKey);
          assert.deepEqual(out[0].receiveKey, out[1].sendKey);
          return out;
        } finally {
          client.destroy();
          server.destroy();
        }
      };
      let last = await run(null);
      last = await run(null);
      for (let i = 0; i < 3; i++) last = await run(last);
      assert.equal(counts.imports, imports, 'a DH imported a key instead of using its handle');
      await a.crypto.close();
      await b.crypto.close();
    });
  });
}
