import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { KeyedMutex } from '../../../engine/data/keyed-mutex';

/** A task that records when it starts and ends, and finishes when told to. */
function gate(log: string[], name: string): { task: () => Promise<string>; open: () => void; fail: (err: Error) => void } {
  let open!: () => void;
  let fail!: (err: Error) => void;
  const done = new Promise<void>((resolve, reject) => ((open = resolve), (fail = reject)));
  const task = async () => {
    log.push(`start ${name}`);
    try {
      await done;
    } finally {
      log.push(`end ${name}`);
    }
    return name;
  };
  return { task, open, fail };
}

const tick = () => new Promise<void>((r) => setImmediate(r));

describe('KeyedMutex', () => {
  test('tasks for one key run one after another, in the order they were given', async () => {
    const m = new KeyedMutex();
    const log: string[] = [];
    const [a, b, c] = ['a', 'b', 'c'].map((n) => gate(log, n));
    const results = [m.run('k', a!.task), m.run('k', b!.task), m.run('k', c!.task)];
    await tick();
    assert.deepEqual(log, ['start a'], 'an uncontended task starts at once; the others wait');
    c!.open();
    b!.open();
    await tick();
    assert.deepEqual(log, ['start a']);
    a!.open();
    assert.deepEqual(await Promise.all(results), ['a', 'b', 'c']);
    assert.deepEqual(log, ['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
  });

  test('tasks for different keys run concurrently', async () => {
    const m = new KeyedMutex();
    const log: string[] = [];
    const [a, b] = ['a', 'b'].map((n) => gate(log, n));
    const results = [m.run('x', a!.task), m.run('y', b!.task)];
    await tick();
    assert.deepEqual(log, ['start a', 'start b']);
    b!.open();
    a!.open();
    assert.deepEqual(await Promise.all(results), ['a', 'b']);
  });

  test('a failing task, even one that throws before returning a promise, does not block the next', async () => {
    const m = new KeyedMutex();
    const log: string[] = [];
    const a = gate(log, 'a');
    const first = m.run('k', a.task);
    const second = m.run('k', () => {
      throw new Error('sync failure');
    });
    const third = m.run('k', async () => 'third');
    a.fail(new Error('async failure'));
    await assert.rejects(first, /async failure/);
    await assert.rejects(second, /sync failure/);
    assert.equal(await third, 'third');
  });

  test('a key is free again once its queue has drained', async () => {
    const m = new KeyedMutex();
    assert.equal(await m.run('k', async () => 1), 1);
    const log: string[] = [];
    const a = gate(log, 'a');
    const p = m.run('k', a.task);
    assert.deepEqual(log, ['start a'], 'starts at once: nothing is left queued from before');
    a.open();
    await p;
  });
});
