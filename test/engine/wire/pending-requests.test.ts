// The one pending-request table (engine/wire/pending-requests.ts): ids never reuse one in flight,
// every request has a finite deadline, a reply after the deadline is told apart from a reply to
// nothing, a reply that does not match stays unsettled, and close fails everything at once.

import { afterEach, describe, mock, test } from 'node:test';
import assert from 'node:assert/strict';
import { IdAllocator, PendingRequests } from '../../../engine/wire/pending-requests';

class Timeout extends Error {}

function table() {
  return new PendingRequests<string, number>({ timeoutError: (op, ms) => new Timeout(`${op} after ${ms} ms`), sweepMs: 1000 });
}

afterEach(() => mock.timers.reset());

describe('PendingRequests', () => {
  test('a reply settles its request by id, in any order', async () => {
    const t = table();
    const ids: number[] = [];
    const a = t.request('a', 5000, (id) => ids.push(id));
    const b = t.request('b', 5000, (id) => ids.push(id));
    assert.equal(new Set(ids).size, 2);
    const sb = t.settle(ids[1]!);
    assert.equal(sb.kind, 'pending');
    if (sb.kind === 'pending') sb.resolve(2);
    const sa = t.settle(ids[0]!);
    if (sa.kind === 'pending') sa.resolve(1);
    assert.deepEqual(await Promise.all([a, b]), [1, 2]);
    assert.equal(t.size, 0);
    assert.equal(t.settle(ids[0]!).kind, 'unknown', 'a second reply to the same id answers nothing');
  });

  test('a request past its deadline fails; its late reply is "late", not "unknown"', async () => {
    mock.timers.enable({ apis: ['setInterval'] });
    const t = table();
    let id = 0;
    const p = t.request('slow', 3000, (n) => (id = n));
    const failed = assert.rejects(p, (e: unknown) => e instanceof Timeout && e.message === 'slow after 3000 ms');
    mock.timers.tick(3000);
    assert.equal(t.size, 1, 'not before its deadline');
    mock.timers.tick(2000);
    await failed;
    assert.equal(t.settle(id).kind, 'late');
    assert.equal(t.settle(id).kind, 'unknown', 'remembered once');
  });

  test('a reply whose meta does not match leaves the request in flight', async () => {
    const t = table();
    let id = 0;
    const p = t.request('load', 5000, (n) => (id = n));
    assert.equal(t.settle(id, (op) => op === 'store').kind, 'unknown');
    assert.equal(t.size, 1);
    const s = t.settle(id, (op) => op === 'load');
    if (s.kind === 'pending') s.resolve(7);
    assert.equal(await p, 7);
  });

  test('close fails every request in flight and every later one, with its error', async () => {
    const t = table();
    const gone = new Error('gone');
    const a = t.request('a', 5000, () => undefined);
    const b = t.request('b', 5000, () => undefined);
    t.close(gone);
    await assert.rejects(a, (e) => e === gone);
    await assert.rejects(b, (e) => e === gone);
    await assert.rejects(t.request('c', 5000, () => assert.fail('nothing is sent after close')), (e) => e === gone);
  });

  test('a send that throws leaves nothing in flight; deadlines must be finite and positive', async () => {
    const t = table();
    await assert.rejects(t.request('x', 5000, () => { throw new Error('cannot encode'); }), /cannot encode/);
    assert.equal(t.size, 0);
    for (const bad of [0, -1, Infinity, Number.NaN]) assert.throws(() => t.request('x', bad, () => undefined), RangeError, String(bad));
  });
});

describe('IdAllocator', () => {
  test('ids are 1..2^32-1 in order, wrap past 2^32-1 to 1 (never 0), and skip ids still in use', () => {
    const ids = new IdAllocator();
    assert.equal(ids.allocate(() => false), 1);
    assert.equal(ids.allocate((n) => n <= 4), 5);
    (ids as unknown as { next: number }).next = 0xfffffffe; // internal: reach the wrap without 4 billion calls
    assert.equal(ids.allocate(() => false), 0xfffffffe);
    assert.equal(ids.allocate(() => false), 0xffffffff);
    assert.equal(ids.allocate((n) => n === 1 || n === 2), 3);
  });
});
