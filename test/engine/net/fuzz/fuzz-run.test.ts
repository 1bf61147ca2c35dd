// The fuzzer (scripts/fuzz, `npm run fuzz`) as CI runs it: a small, seeded run against a real node
// process over real TCP. It must send every mutated message it was asked for and find nothing:
// no crash, no admitted handshake it had to refuse, the node still answering, RSS bounded.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..', '..');
const ITERATIONS = 240;

interface Report {
  seed: string;
  iterations: number;
  sent: number;
  sessions: number;
  crashes: number;
  acceptedUntrusted: number;
  nodeAnswers: boolean;
  rssStartMiB: number;
  rssMaxMiB: number;
  problems: string[];
}

function runFuzz(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts', 'fuzz', 'main.ts'), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // A hang guard, not a verdict: a run of this size ends in well under a minute on an idle machine.
    const guard = setTimeout(() => child.kill('SIGKILL'), 480_000);
    child.once('error', reject);
    child.once('close', (code) => (clearTimeout(guard), resolve({ code, stdout, stderr })));
  });
}

test(`fuzz: seed "ci", ${ITERATIONS} mutated messages against a live node find nothing`, async () => {
  const r = await runFuzz(['--seed', 'ci', '--iterations', String(ITERATIONS), '--json']);
  const line = r.stdout.trim().split('\n').at(-1) ?? '';
  let report: Report;
  try {
    report = JSON.parse(line) as Report;
  } catch {
    assert.fail(`no report (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
  assert.deepEqual(report.problems, [], 'problems found');
  assert.equal(r.code, 0);
  assert.equal(report.seed, 'ci');
  assert.equal(report.sent, ITERATIONS, 'every mutated message was sent');
  assert.ok(report.sessions > 0, 'mutated messages went inside authenticated sessions');
  assert.equal(report.crashes, 0);
  assert.equal(report.acceptedUntrusted, 0);
  assert.equal(report.nodeAnswers, true);
  assert.ok(report.rssMaxMiB >= report.rssStartMiB && report.rssStartMiB > 0, 'RSS was measured');
});

test('fuzz: a bad --iterations is refused before any node starts', async () => {
  const r = await runFuzz(['--iterations', '0']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--iterations must be a positive integer/);
});
