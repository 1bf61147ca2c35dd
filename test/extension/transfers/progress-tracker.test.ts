import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ProgressTracker } from '../../../extension/transfers/progress-tracker';

const MiB = 1024 * 1024;

describe('ProgressTracker', () => {
  test('increments add up to 100% with bytes in the message', () => {
    const t = new ProgressTracker();
    const steps = [16, 32, 64].map((done) => t.update({ doneBytes: done * MiB, totalBytes: 64 * MiB }));
    assert.deepEqual(steps.map((s) => s.increment), [25, 25, 50]);
    assert.equal(steps[0]!.message, '16 MiB of 64 MiB (25%)');
    assert.equal(steps[2]!.message, '64 MiB of 64 MiB (100%)');
  });

  test('never goes backwards; unknown totals show bytes only; empty transfers are done', () => {
    const t = new ProgressTracker();
    t.update({ doneBytes: 50, totalBytes: 100 });
    const back = t.update({ doneBytes: 20, totalBytes: 100 });
    assert.equal(back.increment, 0);
    assert.match(back.message, /\(50%\)/);
    assert.deepEqual(new ProgressTracker().update({ doneBytes: 5 * MiB, totalBytes: null }), { message: '5 MiB so far' });
    assert.equal(new ProgressTracker().update({ doneBytes: 0, totalBytes: 0 }).increment, 100);
  });

  test('a total learned once is kept when later events leave it out', () => {
    const t = new ProgressTracker();
    t.update({ doneBytes: 0, totalBytes: 10 * MiB });
    assert.equal(t.update({ doneBytes: 5 * MiB, totalBytes: null }).increment, 50);
  });
});
