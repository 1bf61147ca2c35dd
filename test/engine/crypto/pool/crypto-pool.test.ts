// Runs the REAL pool from dist/crypto-task.js: `npm run build` first (npm test does).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { CryptoPool } from '../../../../engine/crypto/pool/crypto-pool';
import { InlineCrypto } from '../../../../engine/crypto/pool/inline-crypto';
import type { AsymOp, CryptoBackendName } from '../../../../engine/crypto/pool/crypto-messages';
import { ErrorCodes, isMemCloudError, type ErrorCode } from '../../../../engine/errors';

const rand = (n: number): Uint8Array => new Uint8Array(randomBytes(n));
const BACKENDS: CryptoBackendName[] = ['noble', 'native', 'portable'];
const inline = new InlineCrypto();
const hasCode = (code: ErrorCode, message?: RegExp) => (err: unknown): boolean =>
  isMemCloudError(err, code) && (message === undefined || message.test(err.message));

/** `total` bytes cut into full Noise records, the last one partial. */
function batch(total: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let left = total; left > 0; left -= 65519) out.push(rand(Math.min(65519, left)));
  return out;
}

describe('CryptoPool', () => {
  let pool: CryptoPool;
  before(() => {
    pool = CryptoPool.create();
  });
  after(() => pool.close());

  test('defaults to min(2, cores) threads from dist/crypto-task.js', () => {
    assert.ok(pool.threads >= 1 && pool.threads <= 2);
    assert.equal(pool.closed, false);
  });

  for (const backend of BACKENDS) {
    test(`${backend}: pool seal/open equal inline byte for byte`, async () => {
      for (const records of [[0, 1, 15, 16, 17, 1024, 65519].map(rand), batch(64 * 1024), batch(256 * 1024), batch(1024 * 1024)]) {
        const key = rand(32);
        const nonce = 2 ** 32 + 5;
        const fromPool = await pool.seal(backend, key, nonce, records);
        assert.deepEqual(fromPool, await inline.seal(backend, key, nonce, records));
        assert.ok(fromPool.every((r) => r.buffer === fromPool[0]!.buffer && Object.getPrototypeOf(r) === Uint8Array.prototype));
        const opened = await pool.open(backend, key, nonce, fromPool);
        assert.deepEqual(opened, await inline.open(backend, key, nonce, fromPool));
        assert.ok(opened.ok);
        assert.deepEqual(opened.plaintexts, records);
      }
    });

    test(`${backend}: a tampered record reports failedAt`, async () => {
      const key = rand(32);
      const sealed = (await pool.seal(backend, key, 0, batch(200_000))).map((r) => r.slice());
      sealed[2]![77]! ^= 0x10;
      assert.deepEqual(await pool.open(backend, key, 0, sealed), { ok: false, failedAt: 2 });
    });
  }

  test('with adPrefix, record i carries adPrefix || (nonce + i) as associated data, in the pool as inline', async () => {
    const { createAead } = await import('../../../../engine/crypto/aead');
    const aead = createAead('native');
    for (const backend of BACKENDS) {
      const key = rand(32);
      const prefix = rand(81);
      const records = [rand(32768), rand(32768), rand(100)];
      const sealed = await pool.seal(backend, key, 3, records, prefix);
      assert.deepEqual(sealed, await inline.seal(backend, key, 3, records, prefix), `${backend}: pool equals inline`);
      // Each record is an AEAD seal with exactly that associated data (and not without it).
      sealed.forEach((r, i) => {
        const ad = Buffer.concat([prefix, Buffer.from([0, 0, 0, 3 + i])]);
        assert.deepEqual(aead.open(key, 3 + i, r, ad), records[i], `${backend}: record ${i}`);
      });
      const withoutAd = await pool.seal(backend, key, 3, records);
      assert.ok(withoutAd.every((r, i) => !Buffer.from(r).equals(Buffer.from(sealed[i]!))), `${backend}: the prefix is authenticated (tags differ without it)`);
      const opened = await pool.open(backend, key, 3, sealed, prefix);
      assert.ok(opened.ok);
      assert.deepEqual(opened.plaintexts, records);
      const otherPrefix = Uint8Array.from(prefix);
      otherPrefix[0]! ^= 1;
      assert.deepEqual(await pool.open(backend, key, 3, sealed, otherPrefix), { ok: false, failedAt: 0 }, `${backend}: another prefix fails`);
      assert.deepEqual(await pool.open(backend, key, 4, sealed.slice(1), prefix), { ok: true, plaintexts: records.slice(1) });
    }
    const bad = (m: RegExp) => hasCode(ErrorCodes.BAD_ARGUMENT, m);
    await assert.rejects(pool.seal('native', rand(32), 0, [rand(1)], rand(253)), bad(/adPrefix must be at most 252 bytes/));
    await assert.rejects(pool.seal('native', rand(32), 2 ** 32 - 1, [rand(1), rand(1)], rand(4)), bad(/nonce must fit a u32/));
    await assert.rejects(pool.open('native', rand(32), 0, [rand(17)], 'x' as never), bad(/adPrefix must be a Uint8Array/));
  });

  test('concurrent batches each come back whole and in order', async () => {
    const jobs = Array.from({ length: 40 }, (_, i) => ({
      backend: BACKENDS[i % 2]!,
      key: rand(32),
      nonce: i * 1000,
      records: Array.from({ length: 1 + (i % 7) }, (_, j) => rand(1 + ((i * 977 + j * 131) % 9000))),
    }));
    const results = await Promise.all(jobs.map((j) => pool.seal(j.backend, j.key, j.nonce, j.records)));
    for (let i = 0; i < jobs.length; i++) {
      const j = jobs[i]!;
      assert.deepEqual(results[i], await inline.seal(j.backend, j.key, j.nonce, j.records), `job ${i}`);
    }
    const opened = await Promise.all(jobs.map((j, i) => pool.open(j.backend, j.key, j.nonce, results[i]!)));
    opened.forEach((o, i) => assert.deepEqual(o, { ok: true, plaintexts: jobs[i]!.records }));
  });

  test('callers keep their keys and records: the pool works on copies', async () => {
    const key = rand(32);
    const records = [rand(3000), rand(10)];
    const keyCopy = key.slice();
    const recordCopies = records.map((r) => r.slice());
    await pool.seal('native', key, 1, records);
    assert.equal(key.byteLength, 32, 'not detached');
    assert.deepEqual(key, keyCopy);
    assert.deepEqual(records, recordCopies);
    const seed = rand(32);
    const seedCopy = seed.slice();
    await pool.asym('native', [{ op: 'ed25519-sign', secretKey: seed, message: records[1]! }]);
    assert.deepEqual(seed, seedCopy);
  });

  test('asym ops: noble and native agree through the pool, and match inline', async () => {
    const a = x25519.keygen();
    const b = x25519.keygen();
    const seed = rand(32);
    const message = rand(200);
    const signature = ed25519.sign(message, seed);
    const badSignature = signature.slice();
    badSignature[63]! ^= 0x01;
    const publicKey = ed25519.getPublicKey(seed);
    const ops: AsymOp[] = [
      { op: 'x25519-dh', secretKey: a.secretKey, publicKey: b.publicKey },
      { op: 'ed25519-sign', secretKey: seed, message },
      { op: 'ed25519-verify', publicKey, message, signature },
      { op: 'ed25519-verify', publicKey, message, signature: badSignature },
    ];
    const expected = [
      { op: 'x25519-dh', sharedSecret: x25519.getSharedSecret(b.secretKey, a.publicKey) },
      { op: 'ed25519-sign', signature },
      { op: 'ed25519-verify', valid: true },
      { op: 'ed25519-verify', valid: false },
    ];
    for (const backend of BACKENDS) {
      assert.deepEqual(await pool.asym(backend, ops), expected, backend);
      assert.deepEqual(await inline.asym(backend, ops), expected, backend);
    }
    // the same peer key twice exercises the native public-key cache
    assert.deepEqual(await pool.asym('native', ops), expected);
    const [pair] = await pool.asym('native', [{ op: 'x25519-keypair' }]);
    assert.ok(pair?.op === 'x25519-keypair');
    assert.deepEqual(pair.publicKey, x25519.getPublicKey(pair.secretKey));
  });

  test('errors raised in the worker cross back as MemCloudErrors', async () => {
    await assert.rejects(
      pool.asym('native', [{ op: 'x25519-dh', secretKey: rand(32), publicKey: new Uint8Array(32) }]),
      hasCode(ErrorCodes.HANDSHAKE_FAILED, /low-order/),
    );
  });

  test('bad inputs are rejected with precise messages', async () => {
    const bad = (m: RegExp) => hasCode(ErrorCodes.BAD_ARGUMENT, m);
    await assert.rejects(pool.seal('noble', rand(16), 0, []), bad(/^key must be 32 bytes, got 16$/));
    await assert.rejects(pool.seal('noble', rand(32), 0.5, []), bad(/nonce must be a non-negative safe integer/));
    await assert.rejects(pool.seal('native', rand(32), 0, [rand(65520)]), bad(/records\[0\] must be at most 65519 bytes/));
    await assert.rejects(pool.open('native', rand(32), 0, [rand(65536)]), bad(/records\[0\] must be at most 65535 bytes/));
    await assert.rejects(pool.seal('aes' as never, rand(32), 0, []), bad(/backend must be/));
    await assert.rejects(pool.asym('noble', [{ op: 'x25519-dh', secretKey: rand(32) } as never]), bad(/ops\[0\]\.publicKey/));
    assert.deepEqual(await pool.seal('noble', rand(32), 0, []), []);
  });

  test('create() validates its options', () => {
    assert.throws(() => CryptoPool.create({ threads: 0 }), hasCode(ErrorCodes.BAD_ARGUMENT, /options\.threads/));
    assert.throws(() => CryptoPool.create({ threads: 1.5 }), hasCode(ErrorCodes.BAD_ARGUMENT, /options\.threads/));
    assert.throws(
      () => CryptoPool.create({ taskFile: '/nonexistent/crypto-task.js' }),
      hasCode(ErrorCodes.INTERNAL, /\/nonexistent\/crypto-task\.js is missing: run `npm run build`/),
    );
  });
});

describe('CryptoPool.close', () => {
  test('is idempotent, settles queued work sanely, and refuses new work', async () => {
    const pool = CryptoPool.create({ threads: 1 });
    const key = rand(32);
    const jobs = Array.from({ length: 12 }, (_, i) => ({ nonce: i * 10, records: batch(100_000) }));
    const pending = jobs.map((j) => pool.seal('noble', key, j.nonce, j.records));
    const first = pool.close();
    const second = pool.close();
    assert.equal(first, second);
    assert.equal(pool.closed, true);
    const outcomes = await Promise.allSettled(pending);
    await first;
    let cancelled = 0;
    for (let i = 0; i < outcomes.length; i++) {
      const o = outcomes[i]!;
      if (o.status === 'fulfilled') {
        assert.deepEqual(o.value, await inline.seal('noble', key, jobs[i]!.nonce, jobs[i]!.records));
      } else {
        assert.ok(isMemCloudError(o.reason, ErrorCodes.CANCELLED), String(o.reason));
        cancelled++;
      }
    }
    assert.ok(cancelled >= 1, 'queued tasks are cancelled, not run after close');
    await assert.rejects(pool.seal('noble', key, 0, [rand(1)]), hasCode(ErrorCodes.CANCELLED, /closed/));
    await pool.close();
  });
});
