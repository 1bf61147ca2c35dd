import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sameMembers, writeEach, type WriteOutcome } from '../../../engine/cluster/replica-writes';
import { ErrorCodes, MemCloudError } from '../../../engine/errors';

const outcome = (): WriteOutcome => ({ written: [], failed: [], error: null });

describe('replica writes', () => {
  test('one holder: written, or failed with its error', async () => {
    const ok = outcome();
    await writeEach(['a'], async () => {}, ok);
    assert.deepEqual(ok, { written: ['a'], failed: [], error: null });
    const refused = outcome();
    await writeEach(['a'], async () => {
      throw new MemCloudError(ErrorCodes.QUOTA_EXCEEDED, 'full');
    }, refused);
    assert.deepEqual(refused.written, []);
    assert.deepEqual(refused.failed, ['a']);
    assert.equal(refused.error?.code, 'QUOTA_EXCEEDED');
  });

  test('several holders at once: the first refusal is kept, plain errors become INTERNAL', async () => {
    const out = outcome();
    const holders = ['a', 'b', 'c', 'd'];
    const started: string[] = [];
    await writeEach(holders, async (h) => {
      started.push(h);
      await new Promise((r) => setImmediate(r));
      if (h === 'b') throw new Error('boom');
      if (h === 'd') throw new MemCloudError(ErrorCodes.MEMORY_FULL, 'no memory');
    }, out);
    assert.deepEqual(started, holders, 'all started before any finished');
    assert.deepEqual(out.written, ['a', 'c']);
    assert.deepEqual(out.failed, ['b', 'd']);
    assert.equal(out.error?.code, 'INTERNAL');
  });

  test('the holders written are the ones asked, even if the list changes meanwhile', async () => {
    const out = outcome();
    const list = ['a', 'b'];
    await writeEach(list, async () => void list.splice(0), out);
    assert.deepEqual(out.written, ['a', 'b']);
  });

  test('sameMembers ignores order', () => {
    assert.equal(sameMembers(['a', 'b'], ['b', 'a']), true);
    assert.equal(sameMembers(['a'], ['a', 'b']), false);
    assert.equal(sameMembers(['a', 'c'], ['a', 'b']), false);
    assert.equal(sameMembers([], []), true);
  });
});
