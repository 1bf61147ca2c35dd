// npm run bench:transport [-- --json] [-- --quick]: the secure transport between two processes on
// 127.0.0.1. The peer runs in a child process (this file with --serve), so each end has its own
// event loop, as two machines would. Measures, for each crypto backend (native, portable, noble):
//   handshake_ms_*   connect until the session is open (both HELLOs), median of many
//   channel_mbps_*   1 MiB messages over one session, with backpressure, MB/s (10^6 bytes)
//   small_msgs_per_s 1 KiB request/response round trips with 64 in flight (best backend)
//   resume_ms_*      connect until open when resuming with a ticket (bench/resume.ts)
//   handshake_cpu_us_*, resume_cpu_us_*, resume_cpu_ratio_*: CPU of the handshake itself, both
//                    roles (bench/resume-cpu.ts); connection_cpu_ratio_*: the same ratio for whole
//                    connections (TCP, channel, session), both processes
//   resume_cpu_floor_*: the lowest resume/full CPU ratio the backend's X25519/Ed25519 costs allow,
//                    measured in the same run (docs/performance.md, "Handshake CPU")
// and, in the same run, the anchor: hyperswarm's secret-stream (bench/secret-stream.ts):
//   ss_handshake_ms, ss_mbps; then the ratios issue 10 sets as targets.

import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { parsePublicKey } from '../engine/identity/public-key';
import type { Session } from '../engine/session/session-manager';
import { CRYPTO_BACKENDS, type CryptoBackendName } from '../engine/crypto/backend-name';
import type { Placement } from '../engine/crypto/place';
import { closeSharedPool, createEndpoint, type Endpoint } from '../test/support/endpoints';
import { printRatios, type RatioRow } from './ratios';
import { cpuPerMiB, type ChannelFigures } from './channel-cpu';
import { ssBulk, ssBulkMBps, ssHandshakeMs, startSecretStreamPeer } from './secret-stream';
import { MODE_CPU, connectCost } from './resume';
import { floorRatio, handshakeCpu, type HandshakeCpu } from './resume-cpu';

type Backend = CryptoBackendName;
const MODE_SINK = 0;
const MODE_FIN = 1;
const MODE_ECHO = 2;

async function serve(backend: Backend, clientKey: string, placement: Placement | undefined): Promise<void> {
  const ep = await createEndpoint({ name: 'bench-peer', backend, handshakeTimeoutMs: 30_000, ...(placement ? { placement } : {}) });
  await ep.trust.trust(parsePublicKey(clientKey), { name: 'bench-client', approval: 'cli' });
  ep.sessions.on('session', (s) => {
    let received = 0;
    s.channel.on('message', (m) => {
      switch (m[0]) {
        case MODE_SINK:
          received += m.length;
          return;
        case MODE_CPU: {
          const reply = Buffer.alloc(9);
          const u = process.cpuUsage();
          reply[0] = MODE_CPU;
          reply.writeDoubleBE(u.user + u.system, 1);
          s.channel.send(reply);
          return;
        }
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
  readonly publicKey: string;
}

async function startPeer(backend: Backend, client: Endpoint, placement: Placement | undefined): Promise<Peer> {
  const args = [__filename, '--serve', backend, client.identity.publicKeyText, ...(placement ? [placementText(placement)] : [])];
  const child = spawn(process.execPath, [...process.execArgv, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`bench peer exited with ${code}`)));
  });
  const info = JSON.parse(line) as { port: number; publicKey: string };
  await client.trust.trust(parsePublicKey(info.publicKey), { name: 'bench-peer', approval: 'cli' });
  return { child, port: info.port, publicKey: info.publicKey };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function handshakeMs(client: Endpoint, port: number, rounds: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < rounds + 5; i++) {
    const t = process.hrtime.bigint();
    const s = await client.sessions.dial('127.0.0.1', port, { resume: false });
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
  return (await channelBulk(s, totalBytes, NaN)).mbps;
}

/** 1 MiB messages to the peer (process `peerPid`): MB/s and the CPU each end spent per MiB. */
async function channelBulk(s: Session, totalBytes: number, peerPid: number): Promise<ChannelFigures> {
  const chunk = randomBytes(1024 * 1024);
  chunk[0] = MODE_SINK;
  const cpu = cpuPerMiB(peerPid, totalBytes);
  const t = process.hrtime.bigint();
  for (let sent = 0; sent < totalBytes; sent += chunk.length) {
    if (!s.channel.send(chunk)) await new Promise<void>((r) => s.channel.once('drain', r));
  }
  const done = waitMessage(s, MODE_FIN);
  s.channel.send(Uint8Array.of(MODE_FIN));
  const received = (await done).readDoubleBE(1);
  const seconds = Number(process.hrtime.bigint() - t) / 1e9;
  if (received !== totalBytes) throw new Error(`peer received ${received} of ${totalBytes} bytes`);
  return { mbps: totalBytes / 1e6 / seconds, ...cpu() };
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

interface Measured {
  handshake: number;
  mbps: number;
  msgs: number;
  resume: number;
  /** CPU per whole connection, both processes: resumed and full. */
  fullCpuUs: number;
  resumeCpuUs: number;
}

async function measure(backend: Backend, quick: boolean, placement?: Placement): Promise<Measured> {
  const client = await createEndpoint({ name: 'bench-client', backend, handshakeTimeoutMs: 30_000, ...(placement ? { placement } : {}) });
  const peer = await startPeer(backend, client, placement);
  try {
    const handshake = await handshakeMs(client, peer.port, quick ? 10 : 40);
    const full = await connectCost(client, peer.port, peer.publicKey, quick ? 10 : 40, false);
    const resumed = await connectCost(client, peer.port, peer.publicKey, quick ? 10 : 40, true);
    const s = await client.sessions.dial('127.0.0.1', peer.port);
    await channelMBps(s, 64 * 1024 * 1024); // warm-up
    const mbps = await channelMBps(s, (backend === 'noble' ? 256 : 1024) * 1024 * 1024 / (quick ? 4 : 1));
    const msgs = await smallMsgsPerSec(s, quick ? 1 : 3);
    await s.channel.close();
    return { handshake, mbps, msgs, resume: resumed.ms, fullCpuUs: full.cpuUs, resumeCpuUs: resumed.cpuUs };
  } finally {
    peer.child.stdin!.end();
    await new Promise((r) => peer.child.once('exit', r));
    await client.close();
  }
}

/** "pool:65536" = handshake operations in the pool, record batches from 64 KiB in the pool. */
function placementText(p: Placement): string {
  return `${p.asym}:${p.recordPoolMinBytes}`;
}

function parsePlacement(text: string): Placement {
  const [asym, min] = text.split(':');
  // The transport has no owner-sealed blocks: their placement plays no part here.
  return { asym: asym === 'pool' ? 'pool' : 'inline', recordPoolMinBytes: Number(min), blockPoolMinBytes: Infinity };
}

/** `-- --placements`: each backend under each placement, to decide crypto/place.ts by measurement. */
async function comparePlacements(quick: boolean): Promise<void> {
  const options: Placement[] = [
    { asym: 'inline', recordPoolMinBytes: Infinity, blockPoolMinBytes: Infinity },
    { asym: 'pool', recordPoolMinBytes: Infinity, blockPoolMinBytes: Infinity },
    { asym: 'inline', recordPoolMinBytes: 64 * 1024, blockPoolMinBytes: Infinity },
    { asym: 'pool', recordPoolMinBytes: 64 * 1024, blockPoolMinBytes: Infinity },
    { asym: 'inline', recordPoolMinBytes: 256 * 1024, blockPoolMinBytes: Infinity },
  ];
  process.stdout.write('backend   asym    records in pool from   handshake ms   channel MB/s   1 KiB echo/s\n');
  for (const backend of CRYPTO_BACKENDS) {
    for (const p of options) {
      const r = await measure(backend, quick, p);
      const from = p.recordPoolMinBytes === Infinity ? 'never' : `${p.recordPoolMinBytes / 1024} KiB`;
      process.stdout.write(
        `${backend.padEnd(9)} ${p.asym.padEnd(7)} ${from.padStart(20)}   ${r.handshake.toFixed(2).padStart(12)}   ${r.mbps.toFixed(1).padStart(12)}   ${Math.round(r.msgs).toString().padStart(12)}\n`,
      );
    }
  }
  await closeSharedPool();
}

/**
 * `-- --channel`: only the channel figures and secret-stream's bulk, in one run, each with the CPU
 * both ends spend per MiB (steadier than MB/s on a shared machine). `--backends native,portable`.
 */
async function compareChannel(quick: boolean, json: boolean, backends: readonly Backend[]): Promise<void> {
  const total = 1024 * 1024 * 1024 / (quick ? 4 : 1);
  const peer = await startSecretStreamPeer();
  let ss: ChannelFigures;
  try {
    await ssBulkMBps(peer.port, 64 * 1024 * 1024); // warm-up
    ss = await ssBulk(peer.port, total, peer.pid);
  } finally {
    await peer.stop();
  }
  const rows: Array<[string, ChannelFigures, number | null]> = [['secret-stream', ss, null]];
  const result: Record<string, number> = { ss_mbps: round(ss.mbps, 1) };
  for (const backend of backends) {
    const m = await measureChannel(backend, quick, total);
    rows.push([`MemCloud ${backend}`, m.bulk, m.msgs]);
    result[`channel_mbps_${backend}`] = round(m.bulk.mbps, 1);
    result[`channel_cpu_ms_per_mib_${backend}`] = round(m.bulk.senderMsPerMiB + m.bulk.receiverMsPerMiB, 3);
    result[`small_msgs_per_s_${backend}`] = Math.round(m.msgs);
  }
  result.ss_cpu_ms_per_mib = round(ss.senderMsPerMiB + ss.receiverMsPerMiB, 3);
  await closeSharedPool();
  if (json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  process.stdout.write('                     MB/s   CPU ms/MiB sender   receiver   1 KiB echo/s\n');
  for (const [name, f, msgs] of rows) {
    process.stdout.write(
      `${name.padEnd(18)} ${f.mbps.toFixed(1).padStart(7)}   ${f.senderMsPerMiB.toFixed(3).padStart(17)}   ${f.receiverMsPerMiB.toFixed(3).padStart(8)}   ${msgs === null ? '' : Math.round(msgs).toString().padStart(12)}\n`,
    );
  }
  const ratios: RatioRow[] = [];
  if (result.channel_mbps_native !== undefined) {
    ratios.push({ name: 'channel native / secret-stream', value: result.channel_mbps_native / ss.mbps, op: '>=', target: 1 });
    ratios.push({ name: 'CPU per MiB, secret-stream / native', value: result.ss_cpu_ms_per_mib / result.channel_cpu_ms_per_mib_native!, op: null, target: null });
  }
  if (result.channel_mbps_native !== undefined && result.channel_mbps_portable !== undefined) {
    ratios.push({ name: 'channel portable / native', value: result.channel_mbps_portable! / result.channel_mbps_native, op: '>=', target: 0.5 });
  }
  printRatios(ratios);
}

async function measureChannel(backend: Backend, quick: boolean, total: number): Promise<{ bulk: ChannelFigures; msgs: number }> {
  const client = await createEndpoint({ name: 'bench-client', backend, handshakeTimeoutMs: 30_000 });
  const peer = await startPeer(backend, client, undefined);
  try {
    const s = await client.sessions.dial('127.0.0.1', peer.port);
    await channelMBps(s, 64 * 1024 * 1024); // warm-up
    const bulk = await channelBulk(s, total, peer.child.pid!);
    const msgs = await smallMsgsPerSec(s, quick ? 1 : 3);
    await s.channel.close();
    return { bulk, msgs };
  } finally {
    peer.child.stdin!.end();
    await new Promise((r) => peer.child.once('exit', r));
    await client.close();
  }
}

async function secretStream(quick: boolean): Promise<{ handshake: number; mbps: number }> {
  const peer = await startSecretStreamPeer();
  try {
    const handshake = await ssHandshakeMs(peer.port, quick ? 10 : 40);
    await ssBulkMBps(peer.port, 64 * 1024 * 1024); // warm-up
    return { handshake, mbps: await ssBulkMBps(peer.port, 1024 * 1024 * 1024 / (quick ? 4 : 1)) };
  } finally {
    await peer.stop();
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--serve') return serve(args[1] as Backend, args[2]!, args[3] === undefined ? undefined : parsePlacement(args[3]));
  if (args.includes('--placements')) return comparePlacements(args.includes('--quick'));
  if (args.includes('--channel')) return compareChannel(args.includes('--quick'), args.includes('--json'), backendsArg(args));
  const json = args.includes('--json');
  const quick = args.includes('--quick');
  const ss = await secretStream(quick);
  const m = {} as Record<Backend, Measured>;
  for (const backend of CRYPTO_BACKENDS) m[backend] = await measure(backend, quick);
  const cpu = {} as Record<Backend, HandshakeCpu>;
  for (const backend of CRYPTO_BACKENDS) cpu[backend] = await handshakeCpu(backend, (backend === 'noble' ? 50 : 200) / (quick ? 4 : 1));
  await closeSharedPool();
  const result = {
    handshake_ms_native: round(m.native.handshake, 2),
    handshake_ms_portable: round(m.portable.handshake, 2),
    handshake_ms_noble: round(m.noble.handshake, 2),
    channel_mbps_native: round(m.native.mbps, 1),
    channel_mbps_portable: round(m.portable.mbps, 1),
    channel_mbps_noble: round(m.noble.mbps, 1),
    small_msgs_per_s: Math.round(Math.max(...CRYPTO_BACKENDS.map((b) => m[b].msgs))),
    ss_handshake_ms: round(ss.handshake, 2),
    ss_mbps: round(ss.mbps, 1),
    small_msgs_per_s_portable: Math.round(m.portable.msgs),
    small_msgs_per_s_noble: Math.round(m.noble.msgs),
    resume_ms_native: round(m.native.resume, 2),
    resume_ms_portable: round(m.portable.resume, 2),
    resume_ms_noble: round(m.noble.resume, 2),
    handshake_cpu_us_native: Math.round(cpu.native.fullUs),
    handshake_cpu_us_portable: Math.round(cpu.portable.fullUs),
    handshake_cpu_us_noble: Math.round(cpu.noble.fullUs),
    resume_cpu_us_native: Math.round(cpu.native.resumeUs),
    resume_cpu_us_portable: Math.round(cpu.portable.resumeUs),
    resume_cpu_us_noble: Math.round(cpu.noble.resumeUs),
    resume_cpu_ratio_native: round(cpu.native.resumeUs / cpu.native.fullUs, 3),
    resume_cpu_ratio_portable: round(cpu.portable.resumeUs / cpu.portable.fullUs, 3),
    resume_cpu_ratio_noble: round(cpu.noble.resumeUs / cpu.noble.fullUs, 3),
    resume_cpu_floor_native: round(floorRatio(cpu.native.primitives), 3),
    resume_cpu_floor_portable: round(floorRatio(cpu.portable.primitives), 3),
    resume_cpu_floor_noble: round(floorRatio(cpu.noble.primitives), 3),
    connection_cpu_ratio_native: round(m.native.resumeCpuUs / m.native.fullCpuUs, 3),
    connection_cpu_ratio_portable: round(m.portable.resumeCpuUs / m.portable.fullCpuUs, 3),
    connection_cpu_ratio_noble: round(m.noble.resumeCpuUs / m.noble.fullCpuUs, 3),
  };
  if (json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  process.stdout.write(
    [
      `secret-stream (sodium-native): handshake ${result.ss_handshake_ms} ms, bulk ${result.ss_mbps} MB/s`,
      ...CRYPTO_BACKENDS.map((b) => `MemCloud ${b.padEnd(8)}: handshake ${result[`handshake_ms_${b}`]} ms, channel ${result[`channel_mbps_${b}`]} MB/s, 1 KiB echo ${Math.round(m[b].msgs)}/s`),
      ...CRYPTO_BACKENDS.map(
        (b) =>
          `MemCloud ${b.padEnd(8)}: resume ${result[`resume_ms_${b}`]} ms (full handshake ${result[`handshake_ms_${b}`]} ms); ` +
          `handshake CPU, both roles: resume ${result[`resume_cpu_us_${b}`]} us, full ${result[`handshake_cpu_us_${b}`]} us; ` +
          `whole connection, both processes: resume ${Math.round(m[b].resumeCpuUs)} us, full ${Math.round(m[b].fullCpuUs)} us`,
      ),
      ...CRYPTO_BACKENDS.map((b) => {
        const p = cpu[b].primitives;
        const us = (x: number) => `${Math.round(x)} us`;
        return (
          `MemCloud ${b.padEnd(8)}: X25519 keygen ${us(p.keygenUs)}, DH ${us(p.dhUs)}, Ed25519 sign ${us(p.signUs)}, verify ${us(p.verifyUs)}: ` +
          `lowest resume/full CPU these allow (keygen + DH) / (keygen + 3 DH + sign + verify) = ${result[`resume_cpu_floor_${b}`]}`
        );
      }),
      '',
    ].join('\n'),
  );
  const rows: RatioRow[] = [
    { name: 'handshake native / secret-stream', value: result.handshake_ms_native / result.ss_handshake_ms, op: '<=', target: 1.5 },
    { name: 'handshake portable / secret-stream', value: result.handshake_ms_portable / result.ss_handshake_ms, op: '<=', target: 3 },
    { name: 'handshake noble / secret-stream', value: result.handshake_ms_noble / result.ss_handshake_ms, op: null, target: null },
    { name: 'channel native / secret-stream', value: result.channel_mbps_native / result.ss_mbps, op: '>=', target: 1 },
    { name: 'channel portable / native', value: result.channel_mbps_portable / result.channel_mbps_native, op: '>=', target: 0.5 },
    { name: 'channel noble / native', value: result.channel_mbps_noble / result.channel_mbps_native, op: null, target: null },
    ...CRYPTO_BACKENDS.map((b): RatioRow => ({ name: `resume / full handshake, time, ${b}`, value: result[`resume_ms_${b}`] / result[`handshake_ms_${b}`], op: null, target: null })),
    ...CRYPTO_BACKENDS.flatMap((b): RatioRow[] => [
      { name: `resume / full handshake, CPU, ${b}`, value: result[`resume_cpu_ratio_${b}`], op: '<=', target: 0.25 },
      { name: `  its floor from X25519/Ed25519 costs, ${b}`, value: result[`resume_cpu_floor_${b}`], op: null, target: null },
    ]),
    ...CRYPTO_BACKENDS.map((b): RatioRow => ({ name: `resume / full, whole connection CPU, ${b}`, value: result[`connection_cpu_ratio_${b}`], op: null, target: null })),
  ];
  printRatios(rows);
}

/** `--backends a,b`: the backends to measure (all when absent). */
function backendsArg(args: readonly string[]): Backend[] {
  const i = args.indexOf('--backends');
  if (i < 0) return [...CRYPTO_BACKENDS];
  const names = (args[i + 1] ?? '').split(',');
  const bad = names.filter((n) => !(CRYPTO_BACKENDS as readonly string[]).includes(n));
  if (bad.length > 0) throw new Error(`--backends: unknown backend ${bad.join(', ')} (one of ${CRYPTO_BACKENDS.join(', ')})`);
  return names as Backend[];
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
