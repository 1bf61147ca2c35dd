// The control socket hop alone: SDK client (child process) -> Unix socket -> ControlServer ->
// an in-memory Map engine (this process). Measures 1 KiB set/get, sequential and 64 in flight.
// Run: node --import tsx bench/control.ts [--json]   (or bundle it like bench/transport.ts)

import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EngineApi } from '../engine/api/engine-api';
import type { EngineEvent, StoreOptions } from '../engine/api/types';
import { ControlServer } from '../engine/control/control-server';
import { ErrorCodes, MemCloudError } from '../engine/errors';
import { MemCloud } from '../engine/sdk/client';

const RUN_MS = 2000;
const IN_FLIGHT = 64;
const VALUE = 1024;
const KEYS = 4096;

/** Just enough engine: keys in a Map; everything else is refused. */
function mapEngine(): EngineApi {
  const kv = new Map<string, Uint8Array>();
  const refuse = async (): Promise<never> => {
    throw new MemCloudError(ErrorCodes.BAD_REQUEST, 'not in the benchmark engine');
  };
  return {
    set: async (key: string, value: Uint8Array, _opts?: StoreOptions) => void kv.set(key, value),
    get: async (key: string) => {
      const v = kv.get(key);
      if (v === undefined) throw new MemCloudError(ErrorCodes.NOT_FOUND, `key ${key} not found`);
      return v;
    },
    del: async (key: string) => kv.delete(key),
    subscribe: (_l: (e: EngineEvent) => void) => () => {},
    status: refuse, stats: refuse, store: refuse, load: refuse, free: refuse, keys: refuse,
    openWriteStream: refuse, openReadStream: refuse, pushFile: refuse, pullFile: refuse, cancelTransfer: refuse,
    listData: refuse, flush: refuse, peers: refuse, connect: refuse, disconnect: refuse, updatePeer: refuse,
    trustList: refuse, trustAdd: refuse, trustRemove: refuse, trustRename: refuse, consentList: refuse,
    consentAnswer: refuse, setOffer: refuse, logs: refuse, shutdown: refuse,
    cacheStart: refuse, cacheStop: refuse, cacheStatus: refuse, cacheEnv: refuse, cacheClear: refuse,
  };
}

/** `inFlight` chains issuing `op` back to back for RUN_MS; returns ops per second. */
async function rate(op: (i: number) => Promise<unknown>, inFlight: number): Promise<number> {
  let done = 0;
  let i = 0;
  const start = performance.now();
  const deadline = start + RUN_MS;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (performance.now() < deadline) {
        await op(i++ % KEYS);
        done++;
      }
    }),
  );
  return done / ((performance.now() - start) / 1000);
}

async function client(path: string): Promise<void> {
  const mc = await MemCloud.connect({ path });
  const value = new Uint8Array(VALUE).fill(7);
  const set = (i: number): Promise<void> => mc.set(`key:${i}`, value);
  const get = (i: number): Promise<Uint8Array> => mc.get(`key:${i}`);
  for (let i = 0; i < KEYS; i++) await set(i);
  await rate(get, IN_FLIGHT); // warm up (JIT) on both sides
  const out = {
    set_seq_ops_per_s: await rate(set, 1),
    get_seq_ops_per_s: await rate(get, 1),
    set_pipelined_ops_per_s: await rate(set, IN_FLIGHT),
    get_pipelined_ops_per_s: await rate(get, IN_FLIGHT),
  };
  await mc.close();
  process.stdout.write(JSON.stringify(out) + '\n');
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'mc-bench-'));
  const path = join(dir, 'control.sock');
  const server = await ControlServer.listen({ path, api: mapEngine() });
  try {
    const child = spawn(process.execPath, [...process.execArgv, process.argv[1]!, '--client', path], { stdio: ['ignore', 'pipe', 'inherit'] });
    let text = '';
    child.stdout.on('data', (c: Buffer) => (text += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    if (code !== 0) throw new Error(`benchmark client exited with ${code}`);
    const r = JSON.parse(text) as Record<string, number>;
    if (process.argv.includes('--json')) {
      console.log(JSON.stringify(r));
      return;
    }
    console.log(`control socket, 1 KiB values, ${RUN_MS} ms per cell (client in a child process)`);
    for (const [name, v] of Object.entries(r)) {
      console.log(`  ${name.padEnd(26)} ${Math.round(v).toString().padStart(9)}   (${(1e6 / v).toFixed(2)} us/op)`);
    }
  } finally {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
}

const at = process.argv.indexOf('--client');
if (at >= 0) void client(process.argv[at + 1]!);
else void main();
