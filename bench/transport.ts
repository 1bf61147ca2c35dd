// npm run bench:transport [-- --json]: the secure transport between two processes on 127.0.0.1.
// The peer runs in a child process (this file with --serve), so each end has its own event loop,
// as two machines would. Measures, for noble and native crypto:
//   handshake_ms_*   connect until the session is open (both HELLOs), median of many
//   channel_mbps_*   1 MiB messages over one session, with backpressure, MB/s (10^6 bytes)
//   small_msgs_per_s 1 KiB request/response round trips with 64 in flight (best backend)

import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { parsePublicKey } from '../engine/identity/public-key';
import type { Session } from '../engine/session/session-manager';
import { closeSharedPool, createEndpoint, type Endpoint } from '../test/support/endpoints';

type Backend = 'noble' | 'native';
const MODE_SINK = 0;
const MODE_FIN = 1;
const MODE_ECHO = 2;

async function serve(backend: Backend, clientKey: string): Promise<void> {
  const ep = await createEndpoint({ name: 'bench-peer', backend });
  await ep.trust.trust(parsePublicKey(clientKey), { name: 'bench-client', approval: 'cli' });
  ep.sessions.on('session', (s) => {
    let received = 0;
    s.channel.on('message', (m) => {
      switch (m[0]) {
        case MODE_SINK:
          received += m.length;
          return;
        case MODE_FIN: {
          const reply = Buffer.alloc(9);
          reply[0] = MODE_FIN;
          reply.writeDoubleBE(received, 1);
          received = 0;
          s.channel.send(reply);
          return;
        }
        default:
          s.channel.send(m); // echo
      }
    });
  });
  process.stdout.write(`${JSON.stringify({ port: ep.port, publicKey: ep.identity.publicKeyText })}\n`);
  process.stdin.resume();
  process.stdin.on('end', () => void ep.close().then(closeSharedPool).then(() => process.exit(0)));
}

interface Peer {
  readonly child: ChildProcess;
  readonly port: number;
}

async function startPeer(backend: Backend, client: Endpoint): Promise<Peer> {
  const child = spawn(process.execPath, [__filename, '--serve', backend, client.identity.publicKeyText], { stdio: ['pipe', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`bench peer exited with ${code}`)));
  });
  const info = JSON.parse(line) as { port: number; publicKey: string };
  await client.trust.trust(parsePublicKey(info.publicKey), { name: 'bench-peer', approval: 'cli' });
  return { child, port: info.port };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function handshakeMs(client: Endpoint, port: number, rounds: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < rounds + 5; i++) {
    const t = process.hrtime.bigint();
    const s = await client.sessions.dial('127.0.0.1', port);
    const ms = Number(process.hrtime.bigint() - t) / 1e6;
    if (i >= 5) times.push(ms); // the first few warm up the JIT and the pool
    await s.channel.close();
  }
  return median(times);
}

function waitMessage(s: Session, mode: number): Promise<Buffer> {
  return new Promise((resolve) => {
    const on = (m: Buffer) => {
      if (m[0] !== mode) return;
      s.channel.off('message', on);
      resolve(Buffer.from(m));
    };
    s.channel.on('message', on);
  });
}

async function channelMBps(s: Session, totalBytes: number): Promise<number> {
  const chunk = randomBytes(1024 * 1024);
  chunk[0] = MODE_SINK;
  const t = process.hrtime.bigint();
  for (let sent = 0; sent < totalBytes; sent += chunk.length) {
    if (!s.channel.send(chunk)) await new Promise<void>((r) => s.channel.once('drain', r));
  }
  const done = waitMessage(s, MODE_FIN);
  s.channel.send(Uint8Array.of(MODE_FIN));
  const received = (await done).readDoubleBE(1);
  const seconds = Number(process.hrtime.bigint() - t) / 1e9;
  if (received !== totalBytes) throw new Error(`peer received ${received} of ${totalBytes} bytes`);
  return totalBytes / 1e6 / seconds;
}

async function smallMsgsPerSec(s: Session, seconds: number): Promise<number> {
  const msg = randomBytes(1024);
  msg[0] = MODE_ECHO;
  const inFlight = 64;
  let done = 0;
  let stop = false;
  const start = process.hrtime.bigint();
  await new Promise<void>((resolve) => {
    let outstanding = 0;
    s.channel.on('message', (m) => {
      if (m[0] !== MODE_ECHO) return;
      done++;
      outstanding--;
      if (!stop) {
        s.channel.send(msg);
        outstanding++;
      } else if (outstanding === 0) resolve();
    });
    for (let i = 0; i < inFlight; i++, outstanding++) s.channel.send(msg);
    setTimeout(() => (stop = true), seconds * 1000);
  });
  return done / (Number(process.hrtime.bigint() - start) / 1e9);
}

async function measure(backend: Backend, quick: boolean): Promise<{ handshake: number; mbps: number; msgs: number }> {
  const client = await createEndpoint({ name: 'bench-client', backend });
  const peer = await startPeer(backend, client);
  try {
    const handshake = await handshakeMs(client, peer.port, quick ? 10 : 40);
    const s = await client.sessions.dial('127.0.0.1', peer.port);
    await channelMBps(s, 64 * 1024 * 1024); // warm-up
    const mbps = await channelMBps(s, (backend === 'native' ? 1024 : 256) * 1024 * 1024 / (quick ? 4 : 1));
    const msgs = await smallMsgsPerSec(s, quick ? 1 : 3);
    await s.channel.close();
    return { handshake, mbps, msgs };
  } finally {
    peer.child.stdin!.end();
    await new Promise((r) => peer.child.once('exit', r));
    await client.close();
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--serve') return serve(args[1] as Backend, args[2]!);
  const json = args.includes('--json');
  const quick = args.includes('--quick');
  const noble = await measure('noble', quick);
  const native = await measure('native', quick);
  await closeSharedPool();
  const result = {
    handshake_ms_noble: round(noble.handshake, 2),
    handshake_ms_native: round(native.handshake, 2),
    channel_mbps_noble: round(noble.mbps, 1),
    channel_mbps_native: round(native.mbps, 1),
    small_msgs_per_s: Math.round(Math.max(noble.msgs, native.msgs)),
  };
  if (json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  const rows: Array<[string, number, string, number]> = [
    ['handshake_ms_noble', result.handshake_ms_noble, '<=', 10],
    ['handshake_ms_native', result.handshake_ms_native, '<=', 2],
    ['channel_mbps_noble', result.channel_mbps_noble, '>=', 100],
    ['channel_mbps_native', result.channel_mbps_native, '>=', 600],
    ['small_msgs_per_s', result.small_msgs_per_s, '>=', 100000],
  ];
  process.stdout.write('metric                   measured     target    ratio   ok\n');
  for (const [name, value, op, target] of rows) {
    const ratio = op === '<=' ? target / value : value / target;
    const ok = op === '<=' ? value <= target : value >= target;
    process.stdout.write(`${name.padEnd(24)} ${String(value).padStart(9)}  ${op} ${String(target).padStart(7)}  ${ratio.toFixed(2).padStart(6)}   ${ok ? 'yes' : 'NO'}\n`);
  }
  process.stdout.write(`(small messages: noble ${Math.round(noble.msgs)}/s, native ${Math.round(native.msgs)}/s; ratio > 1 is better than target)\n`);
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
