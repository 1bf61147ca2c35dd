// Attacks on session resumption (docs/protocol.md sections 13.2 and 13.5), over real TCP on
// 127.0.0.1 through a recording, tampering proxy: a replayed resume message is not resumed (the
// ticket was spent) and gets the full handshake; a changed byte in the ticket id, the ephemeral
// key or the encrypted payload, or in the responder's answer, never yields a resumed session, and
// the initiator still gets a session by the full handshake without an error.

import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect as tcpConnect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { ResumeMode, TICKET_ID_LENGTH } from '../../../engine/net/resume-wire';
import { closeSharedPool, createEndpoint, pair, type Endpoint } from '../../support/endpoints';
import { eventually } from '../../support/eventually';
import { nextSession, withTimeout } from '../../support/session-helpers';

after(closeSharedPool);

/** Offsets in the initiator's first bytes: preamble (8), frame header (5), then resume message 1. */
const MSG1 = 8 + 5;
const ID_AT = MSG1;
const E_AT = MSG1 + TICKET_ID_LENGTH;
/** In the responder's first bytes: frame header (5), mode byte, then NNpsk0 message 2. */
const MSG2_BODY = 5;

interface Proxy {
  readonly port: number;
  /** Bytes each connection's initiator sent, in order of connections. */
  readonly fromInitiator: Buffer[];
  close(): Promise<void>;
}

type Tamper = (connection: number, direction: 'up' | 'down', offset: number, chunk: Buffer) => void;

/** Forwards to `target`; `tamper` may change bytes in place (offset: where the chunk starts in its stream). */
async function proxy(target: number, tamper: Tamper = () => undefined): Promise<Proxy> {
  const fromInitiator: Buffer[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const index = fromInitiator.length;
    fromInitiator.push(Buffer.alloc(0));
    const upstream = tcpConnect(target, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => (client.destroy(), upstream.destroy()));
    }
    let up = 0;
    let down = 0;
    client.on('data', (chunk: Buffer) => {
      tamper(index, 'up', up, chunk);
      up += chunk.length;
      fromInitiator[index] = Buffer.concat([fromInitiator[index]!, chunk]);
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      tamper(index, 'down', down, chunk);
      down += chunk.length;
      client.write(chunk);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    fromInitiator,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Flips one bit at `at` of a stream when the chunk holding it passes. */
function flipAt(connection: number, direction: 'up' | 'down', at: number): Tamper {
  return (c, d, offset, chunk) => {
    if (c === connection && d === direction && at >= offset && at < offset + chunk.length) chunk[at - offset]! ^= 0x01;
  };
}

/** Two trusted endpoints; a holds a ticket from b (one full session, closed). */
async function withTicket(): Promise<[Endpoint, Endpoint]> {
  const a = await createEndpoint({ name: 'alpha', backend: 'native' });
  const b = await createEndpoint({ name: 'beta', backend: 'native' });
  await pair(a, b);
  const inbound = nextSession(b);
  const first = await a.sessions.dial('127.0.0.1', b.port);
  await inbound;
  await eventually('alpha holds a ticket', () => a.sessions.resumption!.holds(b.identity.publicKeyText));
  await first.channel.close();
  return [a, b];
}

/** The first frame of a recorded initiator stream, with its preamble. */
function firstMessage(stream: Buffer): Buffer {
  return stream.subarray(0, 8 + 4 + stream.readUInt32BE(8));
}

/** Sends `bytes` on a fresh connection to `port`; resolves with the first frame that comes back. */
function sendRaw(port: number, bytes: Buffer): Promise<{ type: number; body: Buffer }> {
  return withTimeout(
    new Promise((resolve, reject) => {
      const s = tcpConnect(port, '127.0.0.1', () => s.write(bytes));
      let got = Buffer.alloc(0);
      s.on('data', (chunk: Buffer) => {
        got = Buffer.concat([got, chunk]);
        if (got.length >= 4 && got.length >= 4 + got.readUInt32BE(0)) {
          s.destroy();
          resolve({ type: got[4]!, body: got.subarray(5, 4 + got.readUInt32BE(0)) });
        }
      });
      s.on('error', reject);
      s.on('close', () => reject(new Error(`closed after ${got.length} bytes`)));
    }),
    20_000,
    'the responder to answer',
  );
}

describe('resumption under attack', () => {
  test('a replayed resume message is not resumed: the responder answers with the full handshake', async () => {
    const [a, b] = await withTicket();
    const p = await proxy(b.port);
    try {
      const inbound = nextSession(b);
      const resumed = await a.sessions.dial('127.0.0.1', p.port, { expectedKey: b.identity.publicKey });
      assert.equal(resumed.resumed, true);
      assert.equal((await inbound).resumed, true);
      const recorded = firstMessage(p.fromInitiator[0]!);
      let opened = 0;
      b.sessions.on('session', () => opened++);
      for (let i = 0; i < 2; i++) {
        const answer = await sendRaw(b.port, recorded);
        assert.equal(answer.type, 1, 'a HANDSHAKE frame');
        assert.equal(answer.body[0], ResumeMode.FULL, 'the replay falls back to XX');
      }
      assert.equal(opened, 0);
      assert.deepEqual(b.sessions.handshakeCounts, { full: 1, resumed: 1 });
      await resumed.channel.close();
    } finally {
      await p.close();
      await a.close();
      await b.close();
    }
  });

  const tampers: Array<{ what: string; tamper: Tamper }> = [
    { what: 'the ticket id', tamper: flipAt(0, 'up', ID_AT + 3) },
    { what: 'the ephemeral key', tamper: flipAt(0, 'up', E_AT + 5) },
    { what: 'the encrypted payload', tamper: flipAt(0, 'up', E_AT + 32 + 2) },
    { what: "the responder's message 2", tamper: flipAt(0, 'down', MSG2_BODY + 1 + 40) },
  ];
  for (const { what, tamper } of tampers) {
    test(`a changed byte in ${what} never resumes; the initiator gets a full session without an error`, async () => {
      const [a, b] = await withTicket();
      const p = await proxy(b.port, tamper);
      try {
        const inbound = nextSession(b);
        const s = await a.sessions.dial('127.0.0.1', p.port, { expectedKey: b.identity.publicKey });
        const sb = await inbound;
        assert.equal(s.resumed, false);
        assert.equal(sb.resumed, false);
        assert.equal(s.fingerprint, b.identity.fingerprint);
        assert.equal(b.sessions.handshakeCounts.resumed, 0);
        assert.ok(p.fromInitiator.length >= 1);
        await s.channel.close();
      } finally {
        await p.close();
        await a.close();
        await b.close();
      }
    });
  }
});
