// npm run bench [-- --json] [-- --quick]: the RAM engine end to end. This process is the SDK client;
// it talks to a local node (a real `memcloud node run` process) over the control socket, and that
// node stores on a remote peer (another real process) over the encrypted channel, on 127.0.0.1.
// Everything shares this machine's cores, as the targets assume.

import { spawn } from 'node:child_process';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemCloud } from '../engine/sdk/client';
import { cli, startNode, type RunningNode } from '../scripts/demo-nodes';
import { measureRedis } from './redis';

type Backend = 'noble' | 'native';
const KEYSPACE = 4096;
const VALUE = Buffer.alloc(1024, 7);

function vmHwmMiB(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

async function pipelined(op: (i: number) => Promise<unknown>, inFlight: number, seconds: number): Promise<number> {
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
  return done / (Number(process.hrtime.bigint() - start) / 1e9);
}

interface Result {
  setPipelined: number;
  getPipelined: number;
  setSeq: number;
  getSeq: number;
  bulkMBps: number;
  clientRssMiB: number;
  clientBaselineRssMiB: number;
  peerRssMiB: number;
  peerStoredMiB: number;
}

async function measure(backend: Backend, quick: boolean): Promise<Result> {
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
    client = await MemCloud.connect({ home: homes.local });
    const c = client;
    const secs = quick ? 1 : 3;
    for (let i = 0; i < KEYSPACE; i++) await c.set(`k${i}`, VALUE); // warm up and fill the key space
    const setPipelined = await pipelined((i) => c.set(`k${i}`, VALUE), 64, secs);
    const getPipelined = await pipelined((i) => c.get(`k${i}`), 64, secs);
    const setSeq = await pipelined((i) => c.set(`k${i}`, VALUE), 1, secs);
    const getSeq = await pipelined((i) => c.get(`k${i}`), 1, secs);

    await c.close();
    client = null;
    // The push runs in a process that holds only the SDK: its peak RSS is the client's own.
    const bulk = await bulkClient(homes.local, quick ? 256 : 1024);
    const peerStats = JSON.parse(cli(homes.peer, ['stats', '--json'])) as { lent: { usedBytes: number } };
    return {
      setPipelined,
      getPipelined,
      setSeq,
      getSeq,
      bulkMBps: bulk.bytes / 1e6 / bulk.seconds,
      clientRssMiB: bulk.peakRssMiB,
      clientBaselineRssMiB: bulk.baselineRssMiB,
      peerRssMiB: vmHwmMiB(peer.process.pid!),
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

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const noble = await measure('noble', quick);
  const native = await measure('native', quick);
  const redis = measureRedis();
  const result: Record<string, number> = {
    set_ops_pipelined_noble: round(noble.setPipelined),
    get_ops_pipelined_noble: round(noble.getPipelined),
    set_ops_pipelined_native: round(native.setPipelined),
    get_ops_pipelined_native: round(native.getPipelined),
    set_ops_seq: round(native.setSeq),
    get_ops_seq: round(native.getSeq),
    bulk_mbps_noble: round(noble.bulkMBps, 1),
    bulk_mbps_native: round(native.bulkMBps, 1),
    client_rss_mb: round(Math.max(noble.clientRssMiB, native.clientRssMiB), 1),
    client_baseline_rss_mb: round(Math.max(noble.clientBaselineRssMiB, native.clientBaselineRssMiB), 1),
    peer_rss_mb: round(native.peerRssMiB, 1),
    peer_stored_mb: round(native.peerStoredMiB, 1),
    ...(redis === null ? {} : { redis_set_ops_pipelined: round(redis) }),
  };
  if (args.includes('--json')) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  const peerLimit = 1.05 * result.peer_stored_mb! + 64;
  const rows: Array<[string, number, '>=' | '<=', number]> = [
    ['set_ops_pipelined_noble', result.set_ops_pipelined_noble!, '>=', 60000],
    ['get_ops_pipelined_noble', result.get_ops_pipelined_noble!, '>=', 60000],
    ['set_ops_pipelined_native', result.set_ops_pipelined_native!, '>=', 150000],
    ['get_ops_pipelined_native', result.get_ops_pipelined_native!, '>=', 150000],
    ['set_ops_seq', result.set_ops_seq!, '>=', 5000],
    ['get_ops_seq', result.get_ops_seq!, '>=', 5000],
    ['bulk_mbps_noble', result.bulk_mbps_noble!, '>=', 100],
    ['bulk_mbps_native', result.bulk_mbps_native!, '>=', 600],
    ['client_rss_mb', result.client_rss_mb!, '<=', 64],
    ['peer_rss_mb', result.peer_rss_mb!, '<=', round(peerLimit, 1)],
  ];
  process.stdout.write('metric                      measured      target    ratio   ok\n');
  for (const [name, value, op, target] of rows) {
    const ratio = op === '<=' ? target / value : value / target;
    const ok = op === '<=' ? value <= target : value >= target;
    process.stdout.write(`${name.padEnd(26)} ${String(value).padStart(10)}  ${op} ${String(target).padStart(8)}  ${ratio.toFixed(2).padStart(6)}   ${ok ? 'yes' : 'NO'}\n`);
  }
  process.stdout.write(`peer_stored_mb ${result.peer_stored_mb} (peer_rss_mb target = 1.05 x stored + 64)\n`);
  process.stdout.write(`client_rss_mb is the peak of a process holding only the SDK; its RSS when connected, before pushing: ${result.client_baseline_rss_mb}\n`);
  process.stdout.write(
    redis === null
      ? 'redis-benchmark not installed: no Redis comparison\n'
      : `redis_set_ops_pipelined ${result.redis_set_ops_pipelined} (redis-benchmark -c 1 -P 16 -d 1024, no encryption, no network hop)\n`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
