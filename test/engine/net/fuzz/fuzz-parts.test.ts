// The fuzzer's deterministic parts (scripts/fuzz): every choice comes from the seed, forked per
// worker, so a run can be repeated; and the verdict that decides its exit code.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mutate } from '../../../../scripts/fuzz/mutate';
import { Rng } from '../../../../scripts/fuzz/rng';
import { RSS_GROWTH_LIMIT_MIB, problemsOf, type RunFacts } from '../../../../scripts/fuzz/verdict';

const TEMPLATE = Buffer.from('0000002501' + '11'.repeat(32), 'hex');

function stream(seed: string, label: string, n: number): string[] {
  const rng = new Rng(seed).fork(label);
  return Array.from({ length: n }, () => {
    const { out, what } = mutate(rng, TEMPLATE, [{ at: 0, width: 4 }, { at: 4, width: 1 }]);
    return `${what}:${out.toString('hex')}`;
  });
}

describe('fuzz: determinism', () => {
  test('the same seed and worker give the same mutations; another seed or worker gives others', () => {
    const a = stream('S', 'ch/0', 2000);
    assert.deepEqual(stream('S', 'ch/0', 2000), a);
    assert.notDeepEqual(stream('T', 'ch/0', 2000), a);
    assert.notDeepEqual(stream('S', 'ch/1', 2000), a);
  });

  test('mutations cover every operator and change the message', () => {
    const out = stream('coverage', 'w', 5000);
    const ops = new Set(out.flatMap((m) => m.split(':')[0]!.split('+')));
    for (const op of ['flip', 'byte', 'field', 'truncate', 'append', 'insert', 'delete', 'repeat', 'random']) assert.ok(ops.has(op), `operator ${op} used`);
    const unchanged = out.filter((m) => m.split(':')[1] === TEMPLATE.toString('hex')).length;
    assert.ok(unchanged < out.length / 20, `${unchanged} of ${out.length} mutations left the message as it was`);
  });

  test('the PRNG is uniform enough for int(n)', () => {
    const rng = new Rng('uniform');
    const counts = new Array<number>(10).fill(0);
    for (let i = 0; i < 100_000; i++) counts[rng.int(10)]!++;
    for (const c of counts) assert.ok(c > 9000 && c < 11000, `bucket of ${c}`);
  });
});

describe('fuzz: verdict', () => {
  const clean: RunFacts = { crashes: [], accepted: [], nodeAnswers: true, rssStartMiB: 80, rssMaxMiB: 95, workerFailures: [] };

  test('a clean run has no problems', () => {
    assert.deepEqual(problemsOf(clean), []);
  });

  test('a crash, an admitted handshake, a silent node, unbounded RSS or a broken worker each fail the run', () => {
    assert.equal(problemsOf({ ...clean, crashes: ['SIGSEGV'] }).length, 1);
    assert.equal(problemsOf({ ...clean, accepted: ['handshake iteration 3: untrusted key admitted'] }).length, 1);
    assert.equal(problemsOf({ ...clean, nodeAnswers: false }).length, 1);
    assert.equal(problemsOf({ ...clean, rssMaxMiB: clean.rssStartMiB + RSS_GROWTH_LIMIT_MIB + 1 }).length, 1);
    assert.equal(problemsOf({ ...clean, rssMaxMiB: Number.NaN }).length, 1, 'an RSS that could not be read is not a pass');
    assert.equal(problemsOf({ ...clean, workerFailures: ['Error: boom'] }).length, 1);
    assert.deepEqual(problemsOf({ ...clean, rssMaxMiB: clean.rssStartMiB + RSS_GROWTH_LIMIT_MIB }), [], 'the bound itself passes');
  });
});
