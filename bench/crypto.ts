// Micro-benchmark behind crypto/place.ts: inline vs piscina pool, per backend (native, portable,
// noble), for record batches of several sizes, the pool's round trip, and each handshake operation.
// Not wired into npm scripts. Run: npm run build && node --import tsx bench/crypto.ts
import { randomBytes } from 'node:crypto';
import { CRYPTO_BACKENDS } from '../engine/crypto/backend-name';
import { loadBackend } from '../engine/crypto/backends';
import { CryptoPool } from '../engine/crypto/pool/crypto-pool';
import { InlineCrypto } from '../engine/crypto/pool/inline-crypto';
import type { AsymOp, CryptoOps } from '../engine/crypto/pool/crypto-messages';
import { x25519, ed25519 } from '@noble/curves/ed25519.js';

const BACKENDS = CRYPTO_BACKENDS;
const SIZES = [1024, 16 * 1024, 64 * 1024, 256 * 1024, 1024 * 1024];
const RUN_MS = 600;

function records(total: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let left = total; left > 0; left -= 65519) out.push(new Uint8Array(randomBytes(Math.min(65519, left))));
  return out;
}

/** Runs `task` with `inFlight` concurrent chains for RUN_MS; returns completed calls per second. */
async function rate(task: () => Promise<unknown>, inFlight: number): Promise<number> {
  for (let i = 0; i < 3; i++) await task(); // warm up (JIT, worker start)
  let done = 0;
  const start = performance.now();
  const deadline = start + RUN_MS;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (performance.now() < deadline) {
        await task();
        done++;
      }
    }),
  );
  return done / ((performance.now() - start) / 1000);
}

const fmt = (n: number, width = 9): string => n.toFixed(n < 10 ? 2 : n < 100 ? 1 : 0).padStart(width);

async function main(): Promise<void> {
  await loadBackend('portable');
  const inline = new InlineCrypto();
  const pool = CryptoPool.create();
  const key = new Uint8Array(randomBytes(32));
  console.log(`pool threads: ${pool.threads}; each cell runs ${RUN_MS} ms\n`);

  console.log('seal batch throughput, MB/s (1 MB = 10^6 bytes)');
  console.log('backend  batch       inline  pool x1  pool x2  pool x4   (xN = calls in flight)');
  for (const backend of BACKENDS) {
    for (const size of SIZES) {
      const recs = records(size);
      const front = (ops: CryptoOps) => () => ops.seal(backend, key, 0, recs);
      const mbps = (calls: number): string => fmt((calls * size) / 1e6);
      const cells = [await rate(front(inline), 1), await rate(front(pool), 1), await rate(front(pool), 2), await rate(front(pool), 4)];
      console.log(`${backend.padEnd(9)}${(size / 1024 + ' KiB').padEnd(9)}${cells.map(mbps).join('')}`);
    }
  }

  console.log('\npool round trip (seal of one empty record), sequential:');
  for (const backend of BACKENDS) {
    const perSec = await rate(() => pool.seal(backend, key, 0, [new Uint8Array(0)]), 1);
    const inl = await rate(() => inline.seal(backend, key, 0, [new Uint8Array(0)]), 1);
    console.log(`  ${backend.padEnd(7)} pool ${fmt(1e6 / perSec, 7)} us   inline ${fmt(1e6 / inl, 7)} us`);
  }

  const a = x25519.keygen();
  const b = x25519.keygen();
  const seed = new Uint8Array(randomBytes(32));
  const message = new Uint8Array(randomBytes(64));
  const signature = ed25519.sign(message, seed);
  const publicKey = ed25519.getPublicKey(seed);
  const handshakeOps: Record<string, AsymOp[]> = {
    'x25519-dh': [{ op: 'x25519-dh', secretKey: a.secretKey, publicKey: b.publicKey }],
    'ed25519-sign': [{ op: 'ed25519-sign', secretKey: seed, message }],
    'ed25519-verify': [{ op: 'ed25519-verify', publicKey, message, signature }],
    'x25519-keypair': [{ op: 'x25519-keypair' }],
  };
  console.log('\nasym op latency, us per call (sequential)');
  console.log(`op             ${BACKENDS.map((b) => `${(b + ' inline').padStart(16)}${(b + ' pool').padStart(14)}`).join('')}`);
  for (const [name, ops] of Object.entries(handshakeOps)) {
    const cells: string[] = [];
    for (const backend of BACKENDS) {
      for (const [front, width] of [[inline, 16], [pool, 14]] as Array<[CryptoOps, number]>) cells.push(fmt(1e6 / (await rate(() => front.asym(backend, ops), 1)), width));
    }
    console.log(`${name.padEnd(15)}${cells.join('')}`);
  }
  await pool.close();
}

void main();
