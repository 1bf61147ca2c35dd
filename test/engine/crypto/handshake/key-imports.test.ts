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
import { InlineHandshakeCrypto } from '../../../../engine/crypto/handshake/inline-handshake-crypto';
import { DeviceIdentity } from '../../../../engine/identity/device-identity';
import { performHandshake, type HandshakeOptions, type HandshakeResult } from '../../../../engine/net/handshake';
import { TICKET_ID_LENGTH, ticketPsk } from '../../../../engine/net/resume-wire';
import { WireConnection } from '../../../../engine/net/wire-connection';

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

function party(b: CryptoBackend, name: string) {
  const identity = DeviceIdentity.generate();
  const { secretKey, publicKey } = b.asym.generateX25519();
  const staticKeyPair = { secretKey, publicKey };
  return { name, identity, staticKeyPair, crypto: new InlineHandshakeCrypto(b, identity, staticKeyPair) };
}
type Party = ReturnType<typeof party>;

for (const name of ['native', 'portable'] as CryptoBackendName[]) {
  describe(`inline handshake crypto, ${name}`, () => {
    test('full handshakes and resumptions over TCP: no DH ever imports a key', async () => {
      const { backend, counts } = counting(await loadBackend(name));
      const a = party(backend, 'alpha');
      const b = party(backend, 'beta');
      const imports = counts.imports; // the two static keys, imported once when each crypto was set up
      const run = async (resume: boolean, previous: [HandshakeResult, HandshakeResult] | null) => {
        const extra = { initiator: {} as Partial<HandshakeOptions>, responder: {} as Partial<HandshakeOptions> };
        extra.initiator = { ephemeral: await a.crypto.ephemeral() };
        if (resume && previous) {
          const id = new Uint8Array(TICKET_ID_LENGTH).fill(7);
          const psk = (secret: Uint8Array) => ticketPsk(secret, id, a.identity.publicKey, b.identity.publicKey);
          extra.initiator = { ...extra.initiator, resume: { id, psk: psk(previous[0].resumptionSecret), identityKey: b.identity.publicKey } };
          extra.responder = { resumeResponder: () => ({ psk: psk(previous[1].resumptionSecret), identityKey: a.identity.publicKey }) };
        }
        const [client, server] = await tcpPair();
        const side = (p: Party, role: 'initiator' | 'responder', socket: Socket) =>
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
        try {
          const out = await Promise.all([side(a, 'initiator', client), side(b, 'responder', server)]);
          assert.equal(out[0].resumed, resume);
          assert.equal(out[1].resumed, resume);
          assert.deepEqual(out[0].sendKey, out[1].receiveKey);
          assert.deepEqual(out[0].receiveKey, out[1].sendKey);
          return out;
        } finally {
          client.destroy();
          server.destroy();
        }
      };
      let last = await run(false, null);
      last = await run(false, last);
      for (let i = 0; i < 3; i++) last = await run(true, last);
      assert.equal(counts.imports, imports, 'a DH imported a key instead of using its handle');
      await a.crypto.close();
      await b.crypto.close();
    });
  });
}
