// npm run bench [-- --json] [-- --quick]: the RAM engine end to end. This process is the SDK client;
// it talks to a local node (a real `memcloud node run` process) over the control socket, and that
// node stores on a remote peer (another real process) over the encrypted channel, on 127.0.0.1,
// once per crypto backend (native, portable, noble). In the same run, the anchors: redis-benchmark
// (one connection, -P 16 and -P 1) and a secret-stream bulk transfer. Everything shares this
// machine's cores, as the issue's targets assume; the targets are ratios of this one run.
// Beside each rate it prints the CPU microseconds each process spent per operation (node, peer,
// client): on a shared machine these move far less than the rates do. `-- --backends native,noble`
// measures only those backends (the JSON line then lacks the others' keys).

import { spawn } from 'node:child_process';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemCloud } from '../engine/sdk/client';
import { cli, startNode, type RunningNode } from '../test/support/node-process';
import { CRYPTO_BACKENDS, type CryptoBackendName } from '../engine/crypto/backend-name';
import { ownCpuUs, processCpuUs } from './proc-cpu';
import { printRatios, type RatioRow } from './ratios';
import { REDIS_MISSING, measureRedis } from './redis';
import { ssBulkMBps, startSecretStreamPeer } from './secret-stream';

type Backend = CryptoBackendName;
const KEYSPACE = 4096;
const VALUE = Buffer.alloc(1024, 7);

function statusMiB(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** Operations per second, and CPU microseconds per operation of each process (node, peer, this client). */
interface Rate {
  readonly perSecond: number;
  readonly cpuUs: { readonly node: number; readonly peer: number; readonly client: number };
}

/** CPU microseconds used by the node, the peer and this process while `run` runs. */
async function withCpu<T>(pids: { node: number; peer: number }, run: () => Promise<T>): Promise<{ value: T; cpuUs: Rate['cpuUs'] }> {
  const before = { node: processCpuUs(pids.node), peer: processCpuUs(pids.peer), client: ownCpuUs() };
  const value = await run();
  return { value, cpuUs: { node: processCpuUs(pids.node) - before.node, peer: processCpuUs(pids.peer) - before.peer, client: ownCpuUs() - before.client } };
}

async function pipelined(op: (i: number) => Promise<unknown>, inFlight: number, seconds: number, pids: { node: number; peer: number }): Promise<Rate> {
  const { value, cpuUs } = await withCpu(pids, () => count(op, inFlight, seconds));
  const per = (us: number) => us / value.done;
  return { perSecond: value.perSecond, cpuUs: { node: per(cpuUs.node), peer: per(cpuUs.peer), client: per(cpuUs.client) } };
}

async function count(op: (i: number) => Promise<unknown>, inFlight: number, seconds: number): Promise<{ done: number; perSecond: number }> {
  let done = 0;
  let stop = false;
  const start = process.hrtime.bigint();
  const timer = setTimeout(() => (stop = true), seconds * 1000);
  await Promise.all(
    Array.from({ length: inFlight }, async (_, lane) => {
      for (let i = lane; !stop; i += inFlight) {
        await op(i % KEYSPACE);
        done++;
      }
    }),
  );
  clearTimeout(timer);
  return { done, perSecond: done / (Number(process.hrtime.bigint() - start) / 1e9) };
}

interface Result {
  setPipelined: Rate;
  getPipelined: Rate;
  setSeq: number;
  getSeq: number;
  bulkMBps: number;
  /** CPU milliseconds per MiB pushed, of the node and of the peer. */
  bulkCpuMsPerMiB: { readonly node: number; readonly peer: number };
  clientRssMiB: number;
  clientBaselineRssMiB: number;
  peerRssMiB: number;
  peerIdleRssMiB: number;
  peerStoredMiB: number;
}

async function measure(backend: Backend, quick: boolean, sequential: boolean): Promise<Result> {
  const root = mkdtempSync(join(tmpdir(), `memcloud-bench-${backend}-`));
  const homes = { local: join(root, 'local'), peer: join(root, 'peer') };
  // As 64 hex digits: a base64url key may start with '-', which the CLI would read as an option.
  const keys = Object.fromEntries(
    Object.entries(homes).map(([n, h]) => [n, Buffer.from((JSON.parse(cli(h, ['id', '--json'])) as { publicKey: string }).publicKey, 'base64url').toString('hex')]),
  );
  cli(homes.local, ['trust', 'add', keys.peer!, '--name', 'peer']);
  cli(homes.peer, ['trust', 'add', keys.local!, '--name', 'local']);
  const nodes: RunningNode[] = [];
  let client: MemCloud | null = null;
  try {
    const common = ['--crypto', backend, '--offer', '3gb', '--memory', '3gb', '--replicas', '1'];
    const peer = await startNode('peer', homes.peer, common);
    nodes.push(peer);
    const local = await startNode('local', homes.local, [...common, '--connect', `127.0.0.1:${peer.port}`]);
    nodes.push(local);
    await local.waitFor(/session established with peer/);
    const peerIdleRssMiB = statusMiB(peer.process.pid!, 'VmRSS');
    client = await MemCloud.connect({ home: homes.local });
    const c = client;
    const secs = quick ? 1 : 3;
    for (let i = 0; i < KEYSPACE; i++) await c.set(`k${i}`, VALUE); // warm up and fill the key space
    const pids = { node: local.process.pid!, peer: peer.process.pid! };
    const setPipelined = await pipelined((i) => c.set(`k${i}`, VALUE), 64, secs, pids);
    const getPipelined = await pipelined((i) => c.get(`k${i}`), 64, secs, pids);
    const setSeq = sequential ? (await count((i) => c.set(`k${i}`, VALUE), 1, secs)).perSecond : NaN;
    const getSeq = sequential ? (await count((i) => c.get(`k${i}`), 1, secs)).perSecond : NaN;

    await c.close();
    client = null;
    // The push runs in a process that holds only the SDK: its peak RSS is the client's own.
    const mib = quick ? 256 : 1024;
    const { value: bulk, cpuUs: bulkCpu } = await withCpu(pids, () => bulkClient(homes.local, mib));
    const peerStats = JSON.parse(cli(homes.peer, ['stats', '--json'])) as { lent: { usedBytes: number } };
    return {
      setPipelined,
      getPipelined,
      setSeq,
      getSeq,
      bulkMBps: bulk.bytes / 1e6 / bulk.seconds,
      bulkCpuMsPerMiB: { node: bulkCpu.node / 1000 / mib, peer: bulkCpu.peer / 1000 / mib },
      clientRssMiB: bulk.peakRssMiB,
      clientBaselineRssMiB: bulk.baselineRssMiB,
      peerRssMiB: statusMiB(peer.process.pid!, 'VmHWM'),
      peerIdleRssMiB,
      peerStoredMiB: peerStats.lent.usedBytes / 1024 / 1024,
    };
  } finally {
    await client?.close();
    await Promise.all(nodes.map((n) => n.stop()));
    rmSync(root, { recursive: true, force: true });
  }
}

interface BulkResult {
  bytes: number;
  seconds: number;
  baselineRssMiB: number;
  peakRssMiB: number;
}

/** Async, so the nodes' log pipes keep draining while the child pushes. */
function bulkClient(home: string, mib: number): Promise<BulkResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(__dirname, 'bench-bulk-client.js'), '--home', home, '--mib', String(mib)], {
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 600_000,
    });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code === 0) resolve(JSON.parse(out) as BulkResult);
      else reject(new Error(`bulk client exited with ${code ?? signal}: ${err.trim()}`));
    });
  });
}

const round = (x: number, d = 0) => Math.round(x * 10 ** d) / 10 ** d;

/** `--backends a,b`: only those (default: all three). */
function selectedBackends(args: readonly string[]): Backend[] {
  const at = args.indexOf('--backends');
  if (at < 0) return [...CRYPTO_BACKENDS];
  const names = (args[at + 1] ?? '').split(',').filter(Boolean);
  const bad = names.filter((n) => !(CRYPTO_BACKENDS as readonly string[]).includes(n));
  if (names.length === 0 || bad.length > 0) throw new Error(`--backends takes a comma-separated list of ${CRYPTO_BACKENDS.join(', ')}`);
  return names as Backend[];
}

function split(r: Rate): string {
  const { node, peer, client } = r.cpuUs;
  return `${node.toFixed(1)} + ${peer.toFixed(1)} + ${client.toFixed(1)}`;
}

async function secretStreamMBps(quick: boolean): Promise<number> {
  const peer = await startSecretStreamPeer();
  try {
    await ssBulkMBps(peer.port, 64 * 1024 * 1024); // warm-up
    return await ssBulkMBps(peer.port, (quick ? 256 : 1024) * 1024 * 1024);
  } finally {
    await peer.stop();
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const backends = selectedBackends(args);
  const m = {} as Record<Backend, Result>;
  for (const backend of backends) m[backend] = await measure(backend, quick, backend === 'native');
  const redis = await measureRedis(quick);
  const ssMbps = await secretStreamMBps(quick);
  // Memory and sequential figures come from native when it ran, else from the first backend.
  const first = m.native ?? m[backends[0]!];
  const cpu = (r: Rate) => r.cpuUs.node + r.cpuUs.peer + r.cpuUs.client;
  const result: Record<string, number> = {
    ...Object.fromEntries(
      backends.flatMap((b) => [
        [`set_ops_pipelined_${b}`, round(m[b].setPipelined.perSecond)],
        [`get_ops_pipelined_${b}`, round(m[b].getPipelined.perSecond)],
      ]),
    ),
    ...(m.native ? { set_ops_seq: round(m.native.setSeq), get_ops_seq: round(m.native.getSeq) } : {}),
    ...Object.fromEntries(backends.map((b) => [`bulk_mbps_${b}`, round(m[b].bulkMBps, 1)])),
    client_rss_mb: round(Math.max(...backends.map((b) => m[b].clientRssMiB)), 1),
    client_baseline_rss_mb: round(Math.max(...backends.map((b) => m[b].clientBaselineRssMiB)), 1),
    peer_rss_mb: round(first.peerRssMiB, 1),
    peer_idle_rss_mb: round(first.peerIdleRssMiB, 1),
    peer_stored_mb: round(first.peerStoredMiB, 1),
    // CPU microseconds per operation, all three processes together (load moves these far less).
    ...Object.fromEntries(
      backends.flatMap((b) => [
        [`set_cpu_us_${b}`, round(cpu(m[b].setPipelined), 1)],
        [`get_cpu_us_${b}`, round(cpu(m[b].getPipelined), 1)],
        [`bulk_cpu_ms_per_mib_${b}`, round(m[b].bulkCpuMsPerMiB.node + m[b].bulkCpuMsPerMiB.peer, 2)],
      ]),
    ),
    ...(redis === null ? {} : { redis_set_ops_pipelined: round(redis.setOpsPipelined), redis_set_ops_seq: round(redis.setOpsSeq) }),
    ss_mbps: round(ssMbps, 1),
  };
  if (args.includes('--json')) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  const r = (k: string): number => result[k] ?? NaN;
  process.stdout.write(
    [
      ...backends.flatMap((b) => [
        `MemCloud ${b.padEnd(8)}: SET ${r(`set_ops_pipelined_${b}`)}/s GET ${r(`get_ops_pipelined_${b}`)}/s (64 in flight), bulk ${r(`bulk_mbps_${b}`)} MB/s`,
        `  CPU per op (node + peer + client): SET ${split(m[b].setPipelined)} us, GET ${split(m[b].getPipelined)} us; ` +
          `bulk (node + peer) ${m[b].bulkCpuMsPerMiB.node.toFixed(2)} + ${m[b].bulkCpuMsPerMiB.peer.toFixed(2)} ms per MiB`,
      ]),
      `MemCloud sequential (native): SET ${r('set_ops_seq')}/s GET ${r('get_ops_seq')}/s`,
      redis === null ? `Redis: ${REDIS_MISSING}: no Redis ratios` : `redis-benchmark -c 1 -d 1024 SET: -P 16 ${r('redis_set_ops_pipelined')}/s, -P 1 ${r('redis_set_ops_seq')}/s (no encryption, no hop)`,
      `secret-stream bulk (sodium-native): ${r('ss_mbps')} MB/s`,
      `client_rss_mb ${r('client_rss_mb')} (a process holding only the SDK, peak while pushing; ${r('client_baseline_rss_mb')} connected before)`,
      `peer_rss_mb ${r('peer_rss_mb')} with ${r('peer_stored_mb')} MiB stored; idle ${r('peer_idle_rss_mb')}`,
      '',
    ].join('\n'),
  );
  const rows: RatioRow[] = [
    ...(['set', 'get'] as const).flatMap((op) => [
      { name: `${op} pipelined native / redis -P16`, value: r(`${op}_ops_pipelined_native`) / r('redis_set_ops_pipelined'), op: '>=' as const, target: 0.5 },
      { name: `${op} pipelined portable / redis -P16`, value: r(`${op}_ops_pipelined_portable`) / r('redis_set_ops_pipelined'), op: '>=' as const, target: 0.3 },
      { name: `${op} pipelined noble / redis -P16`, value: r(`${op}_ops_pipelined_noble`) / r('redis_set_ops_pipelined'), op: null, target: null },
      { name: `${op} sequential / redis -P1`, value: r(`${op}_ops_seq`) / r('redis_set_ops_seq'), op: '>=' as const, target: 0.3 },
    ]),
    { name: 'bulk native / secret-stream', value: r('bulk_mbps_native') / r('ss_mbps'), op: '>=', target: 0.6 },
    { name: 'bulk portable / secret-stream', value: r('bulk_mbps_portable') / r('ss_mbps'), op: '>=', target: 0.3 },
    { name: 'bulk noble / secret-stream', value: r('bulk_mbps_noble') / r('ss_mbps'), op: null, target: null },
    { name: 'client RSS / 64 MB', value: r('client_rss_mb') / 64, op: '<=', target: 1 },
    { name: 'peer RSS / (1.05 x stored + idle)', value: r('peer_rss_mb') / (1.05 * r('peer_stored_mb') + r('peer_idle_rss_mb')), op: '<=', target: 1 },
  ];
  // Rows of backends not measured (--backends) or of a missing anchor are left out.
  printRatios(rows.filter((row) => !Number.isNaN(row.value)));
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
