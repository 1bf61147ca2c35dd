// The RAM engine in this process over real TCP: keys and blocks on a peer, quotas, overwrite,
// owner isolation, remote free, eviction notices, untrusted devices.

import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMemCloudError } from '../../../engine/errors';
import { chargeOf } from '../../../engine/store/block-cost';
import { sealedSize } from '../../../engine/data/block-seal';
import { connect, rpcTo, startEngine, trustEachOther, type TestEngine, internals } from '../../support/engines';
import { eventually } from '../../support/eventually';

const open: TestEngine[] = [];
async function engine(name: string, opts = {}): Promise<TestEngine> {
  const e = await startEngine(name, opts);
  open.push(e);
  return e;
}
after(async () => {
  await Promise.all(open.map((e) => e.close()));
});


describe('engine data path', () => {
  test('set/get/del and store/load/free go to the peer and come back identical', async () => {
    const a = await engine('owner');
    const b = await engine('lender');
    await trustEachOther(a, b);
    await connect(a, b);
    const api = a.engine.api;
    const value = randomBytes(3000);
    await api.set('user:1', value);
    assert.deepEqual(Buffer.from(await api.get('user:1')), value);
    assert.deepEqual(await api.keys('user:*'), ['user:1']);
    const ref = await api.store(randomBytes(100_000));
    assert.deepEqual(ref.replicas.map((r) => r.holderName), ['lender']);
    const lender = internals(b.engine).holder.stat(a.engine.identity.publicKeyText);
    // Lenders keep sealed blocks (a little larger than their content, block-seal.ts), each charged the fixed overhead too.
    assert.equal(lender.usedBytes, chargeOf(sealedSize(3000)) + chargeOf(sealedSize(100_000)));
    assert.equal((await api.load(ref.id)).length, 100_000);
    await api.free(ref.id);
    assert.equal(internals(b.engine).holder.stat(a.engine.identity.publicKeyText).usedBytes, chargeOf(sealedSize(3000)));
    assert.equal(await api.del('user:1'), true);
    assert.equal(internals(b.engine).holder.stat(a.engine.identity.publicKeyText).usedBytes, 0);
    await assert.rejects(api.get('user:1'), (e) => isMemCloudError(e, 'NOT_FOUND'));
  });

  test('bad keys and values are rejected promises, never a throw at the call (set, get, del)', async () => {
    const api = (await engine('owner')).engine.api;
    const bad = (e: unknown): boolean => isMemCloudError(e, 'BAD_ARGUMENT');
    // Each call is made here, outside assert.rejects: a synchronous throw would fail the test.
    const calls: Array<[string, Promise<unknown>]> = [
      ['set with an empty key', api.set('', Buffer.alloc(1))],
      ['set with a control character in the key', api.set('a\u0001b', Buffer.alloc(1))],
      ['set with a value that is not bytes', api.set('k', 'text' as unknown as Uint8Array)],
      ['get with an empty key', api.get('')],
      ['del with an over-long key', api.del('k'.repeat(1025))],
    ];
    for (const [what, p] of calls) await assert.rejects(p, bad, what);
  });

  test('a stream and a pushed file say where their chunks went', async () => {
    const a = await engine('owner-where');
    const b = await engine('lender-where');
    await trustEachOther(a, b);
    await connect(a, b);
    const stream = await a.engine.api.openWriteStream({ name: 'three chunks' });
    await stream.write(randomBytes(2 * 1024 * 1024 + 5));
    const info = await stream.end();
    assert.equal(info.chunks, 3);
    assert.deepEqual(info.replicas, [{ holder: b.engine.identity.publicKeyText, holderName: 'lender-where' }]);
    const dir = await mkdtemp(join(tmpdir(), 'memcloud-where-'));
    try {
      await writeFile(join(dir, 'f.bin'), randomBytes(4096));
      const pushed = await a.engine.api.pushFile(join(dir, 'f.bin'));
      assert.deepEqual(pushed.replicas.map((r) => r.holderName), ['lender-where']);
      const local = await a.engine.api.openWriteStream({ target: 'local' });
      await local.write(randomBytes(10));
      assert.deepEqual((await local.end()).replicas, [{ holder: 'local', holderName: 'this node' }]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('a reconcile racing with writes in flight frees none of them as stale', async () => {
    const a = await engine('owner-race');
    const b = await engine('lender-race');
    await trustEachOther(a, b);
    await connect(a, b);
    const api = a.engine.api;
    const holders = internals(a.engine).owner.holders as unknown as { reconcile(holder: string): Promise<void> };
    const lender = b.engine.identity.publicKeyText;
    await api.set('warm', randomBytes(10)); // the reconcile after connecting is over
    for (let round = 0; round < 20; round++) {
      // STOREs go out first, then the LIST: the holder answers in that order, so the LIST reply
      // lands while the new blocks are not in the owner's map yet.
      const writes = Array.from({ length: 32 }, (_, i) => api.set(`race:${round}:${i}`, randomBytes(100)));
      await Promise.all([...writes, holders.reconcile(lender)]);
    }
    for (let round = 0; round < 20; round++) {
      for (let i = 0; i < 32; i++) assert.equal((await api.get(`race:${round}:${i}`)).length, 100, `race:${round}:${i} still stored`);
    }
  });

  test('overwriting a key frees the old value: usage settles at one value', async () => {
    const a = await engine('owner2');
    const b = await engine('lender2');
    await trustEachOther(a, b);
    await connect(a, b);
    const last = randomBytes(1049);
    for (let i = 0; i < 49; i++) await a.engine.api.set('k', randomBytes(1000 + i));
    await a.engine.api.set('k', last);
    // Each version is a new block; the one it replaced is freed after the set is acknowledged.
    await eventually('the old versions freed', () => internals(b.engine).store.totals().blocks === 1);
    assert.equal(internals(b.engine).holder.stat(a.engine.identity.publicKeyText).usedBytes, chargeOf(sealedSize(1049)));
    assert.deepEqual(Buffer.from(await a.engine.api.get('k')), last);
  });

  test('a write over the quota the lender allows is refused, and nothing is lost', async () => {
    const a = await engine('owner3');
    const b = await engine('lender3');
    await trustEachOther(a, b);
    await connect(a, b);
    await b.engine.api.updatePeer('owner3', { allowedBytes: 10_000 });
    const kept = randomBytes(6000);
    await a.engine.api.set('fits', kept);
    await assert.rejects(a.engine.api.set('too-much', randomBytes(6000)), (e) => isMemCloudError(e, 'QUOTA_EXCEEDED'));
    assert.deepEqual(Buffer.from(await a.engine.api.get('fits')), kept);
    assert.deepEqual(await a.engine.api.keys(), ['fits']);
    // Usage survives a reconnect.
    const [s] = internals(a.engine).sessions.sessionsFor(b.engine.identity.publicKeyText);
    await s!.channel.close();
    await connect(a, b);
    assert.equal(internals(b.engine).holder.stat(a.engine.identity.publicKeyText).usedBytes, chargeOf(sealedSize(6000)));
    await assert.rejects(a.engine.api.set('still-too-much', randomBytes(6000)), (e) => isMemCloudError(e, 'QUOTA_EXCEEDED'));
  });

  test('owner isolation: a peer cannot read or free another device\'s block by id', async () => {
    const a = await engine('alice');
    const b = await engine('bob');
    const c = await engine('carol');
    await trustEachOther(a, b, c);
    await connect(a, b);
    await connect(c, b);
    const ref = await a.engine.api.store(randomBytes(5000), { target: 'remote' });
    const link = rpcTo(c.engine, b.engine.identity.publicKeyText)!;
    await assert.rejects(link.load(ref.id), (e) => isMemCloudError(e, 'NOT_FOUND'));
    assert.equal(await link.free([ref.id]), 0);
    assert.equal((await a.engine.api.load(ref.id)).length, 5000);
    await c.engine.api.flush();
    assert.equal((await a.engine.api.load(ref.id)).length, 5000);
  });

  test('an untrusted node cannot store anything', async () => {
    const b = await engine('guarded', { consentTimeoutMs: 1000 });
    const stranger = await engine('stranger');
    await internals(stranger.engine).trust.trust(b.engine.identity.publicKey, { name: 'guarded', approval: 'cli' });
    await assert.rejects(internals(stranger.engine).sessions.dial('127.0.0.1', b.port), (e) => isMemCloudError(e, 'HANDSHAKE_FAILED'));
    await assert.rejects(stranger.engine.api.store(randomBytes(100), { target: 'remote' }), (e) => isMemCloudError(e, 'NO_PEERS'));
    assert.equal(internals(b.engine).store.totals().blocks, 0);
  });

  test('cache values evicted on the lender (least recently used first) leave the owner\'s keys and read as evicted', async () => {
    const a = await engine('owner4');
    const b = await engine('lender4', { memoryBytes: 2 * 1024 * 1024, offeredBytes: 8 * 1024 * 1024 });
    await trustEachOther(a, b);
    await connect(a, b);
    const pinned = randomBytes(512 * 1024);
    await a.engine.api.set('pinned', pinned);
    for (let i = 0; i < 8; i++) {
      await a.engine.api.set(`c${i}`, randomBytes(400 * 1024), { durability: 'cache' });
      if (i >= 1) await a.engine.api.get('c0'); // c0 stays recently used
    }
    // EVICTED notices travel back to the owner; wait for the owner's key list to settle.
    for (let i = 0; i < 50 && (await a.engine.api.keys()).length > 4; i++) await new Promise((r) => setTimeout(r, 20));
    const keys = await a.engine.api.keys();
    assert.ok(internals(b.engine).store.totals().evictions >= 4, `evictions: ${internals(b.engine).store.totals().evictions}`);
    assert.ok(keys.includes('pinned') && keys.includes('c0') && keys.includes('c7'), keys.join(','));
    assert.ok(!keys.includes('c1'), `c1 is the least recently used and must be gone: ${keys.join(',')}`);
    assert.deepEqual(Buffer.from(await a.engine.api.get('pinned')), pinned);
    // The owner still knows c1: it reads as evicted, not as a key that never was.
    await assert.rejects(a.engine.api.get('c1'), (e) => isMemCloudError(e, 'EVICTED') && /evicted from the pool/.test(e.message));
    assert.equal((await a.engine.api.listData()).find((d) => d.kind === 'key' && d.id === 'c1')?.state, 'evicted');
  });
});

describe('restarts', () => {
  test('a restarted owner finds its offloaded data again (owner-index.json)', async () => {
    const b = await engine('keeper');
    const a1 = await startEngine('forgetful'); // closed last: a2 reuses its home
    await trustEachOther(a1, b);
    await connect(a1, b);
    const value = randomBytes(10_000);
    await a1.engine.api.set('persist:me', value);
    const local = await a1.engine.api.set('local-only', randomBytes(100), { target: 'local' }).then(() => true);
    assert.ok(local);
    const home = internals(a1.engine).options.home;
    await a1.engine.stop();
    const a2 = await startEngine('forgetful', { home });
    try {
      await connect(a2, b);
      assert.deepEqual(Buffer.from(await a2.engine.api.get('persist:me')), value);
      // What lived only in the old process's RAM is gone, and says so.
      await assert.rejects(a2.engine.api.get('local-only'), (e) => isMemCloudError(e, 'NOT_FOUND'));
      assert.deepEqual(await a2.engine.api.keys(), ['persist:me']);
    } finally {
      await a2.close();
      await a1.close();
    }
  });
});
