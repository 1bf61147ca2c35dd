// Build-cache entries are cache data on a lender whose RAM is small: the lender evicts the least
// recently used entries to admit new ones, every write through the endpoint still succeeds, an
// evicted entry is a plain miss (never an error or a wrong body), a read keeps an entry recently
// used, and a Bazel action result whose output blob was evicted stops being a hit (both engines
// real, over TCP on 127.0.0.1).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { connect, startEngine, trustEachOther, type TestEngine, internals } from '../../support/engines';
import { eventually } from '../../support/eventually';
import { httpRequest, type HttpOptions } from '../../support/http-client';
import { actionResult } from './protobuf';

let owner: TestEngine;
let lender: TestEngine;
let port = 0;
let token = '';

before(async () => {
  // A generous read deadline: this test is about what stays stored, not about a loaded machine's timing.
  owner = await startEngine('owner', { buildCache: { deadlineMs: 10_000 } });
  lender = await startEngine('lender', { memoryBytes: 2 * 1024 * 1024, offeredBytes: 8 * 1024 * 1024 });
  await trustEachOther(owner, lender);
  await connect(owner, lender);
  port = (await owner.engine.api.cacheStart({})).port!;
  token = (await owner.engine.api.cacheEnv()).vars.find((v) => v.name === 'TURBO_TOKEN')!.value;
});
after(async () => {
  await owner?.close();
  await lender?.close();
});

const call = (method: string, path: string, opts: HttpOptions = {}) => httpRequest(port, method, path, { token, ...opts });
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
/** Whether the owner's catalog has the entry's stream with every chunk still on a holder. */
function stored(key: string): boolean {
  const catalog = internals(owner.engine).catalog;
  const stream = [...catalog.streams.values()].find((s) => s.name === `buildcache:${key}`);
  return stream !== undefined && stream.chunks.every((id) => (catalog.blocks.get(id)?.holders.length ?? 0) > 0);
}
const ENTRY = 100 * 1024;
const WRITES = 40;

test('a full lender evicts the least recently used entries: writes keep succeeding, evicted entries are misses, read entries stay', async () => {
  const bodies: Buffer[] = [];
  for (let i = 0; i < WRITES; i++) {
    bodies.push(randomBytes(ENTRY));
    assert.equal((await call('PUT', `/ccache/ev/${i}`, { body: bodies[i] })).status, 200, `entry ${i} is stored`);
    // Entry 0 is read after every write, so it is never the least recently used.
    const kept = await call('GET', '/ccache/ev/0');
    assert.equal(kept.status, 200, `entry 0 after write ${i}`);
    assert.ok(kept.body.equals(bodies[0]!));
  }
  // 4 MiB of entries went into 2 MiB of the lender's RAM.
  assert.ok(internals(lender.engine).store.totals().evictions >= WRITES / 4, `the lender evicted ${internals(lender.engine).store.totals().evictions} blocks`);
  // Every read is a hit with the exact bytes or a plain 404, whether the eviction notice arrived yet or not.
  let misses = 0;
  for (let i = 0; i < WRITES; i++) {
    const r = await call('GET', `/ccache/ev/${i}`);
    if (r.status === 404) misses++;
    else {
      assert.equal(r.status, 200, `entry ${i}: ${r.status}`);
      assert.ok(r.body.equals(bodies[i]!), `entry ${i} comes back exactly`);
    }
  }
  assert.ok(misses >= WRITES / 4, `${misses} of ${WRITES} entries are misses`);
  assert.equal((await call('GET', '/ccache/ev/0')).status, 200, 'the entry read all along is kept');
  assert.equal((await call('GET', `/ccache/ev/${WRITES - 1}`)).status, 200, 'the newest entry is kept');
  // The owner learns of the evictions: the evicted entries leave its count.
  await eventually('the evicted entries leave the owner', async () => (await owner.engine.api.cacheStatus()).entries <= WRITES - misses);
});

test('bazel: an action result whose output blob was evicted is a miss, though the result itself is still stored', async () => {
  await call('DELETE', '/ccache/ev/0');
  const blob = randomBytes(ENTRY);
  const digest = sha(blob);
  assert.equal((await call('PUT', `/cas/${digest}`, { body: blob })).status, 200);
  const ac = actionResult([{ hash: digest, size: blob.length }]);
  const acKey = sha(Buffer.from('evicted action'));
  assert.equal((await call('PUT', `/ac/${acKey}`, { body: ac })).status, 200);
  assert.deepEqual((await call('GET', `/ac/${acKey}`)).body, ac);
  // New entries push the blob out; the action result is read after each, so it stays recently used.
  for (let i = 0; i < 2 * WRITES && stored(`bazel/_/cas/${digest}`); i++) {
    assert.equal((await call('PUT', `/ccache/fill/${i}`, { body: randomBytes(ENTRY) })).status, 200);
    const r = await call('GET', `/ac/${acKey}`);
    assert.ok(r.status === 404 || r.body.equals(ac), `the action result is a hit with its bytes or a miss: ${r.status}`);
  }
  await eventually('the blob is evicted', () => !stored(`bazel/_/cas/${digest}`));
  assert.ok(stored(`bazel/_/ac/${acKey}`), 'the action result itself is still stored');
  assert.equal((await call('GET', `/ac/${acKey}`)).status, 404, 'an AC hit never points at a missing CAS blob');
  assert.equal((await call('GET', `/cas/${digest}`)).status, 404);
});
