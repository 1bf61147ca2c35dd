// One test support kit: tests, benchmarks and the fuzz start real nodes through
// test/support/node-process.ts (the demo imports it from there, never the other way round), and
// the polling, temp-directory and error-code helpers live once, in test/support/.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { importGraph } from './import-graph';

const repo = fileURLToPath(new URL('../..', import.meta.url));

test('nothing imports the demo script: the process harness is test/support/node-process.ts', () => {
  const graph = importGraph(repo, ['test', 'bench', 'scripts']);
  assert.ok((graph.get('scripts/demo.ts') ?? []).includes('test/support/node-process.ts'), 'the demo uses the harness');
  const importers = [...graph].filter(([, deps]) => deps.some((d) => d.startsWith('scripts/demo'))).map(([f]) => f);
  assert.deepEqual(importers, []);
});

test('polling, temp directories and error-code matching are not redefined outside test/support', () => {
  const graph = importGraph(repo, ['test']);
  const local = /^(?:export )?(?:async )?function (until|eventually|withTempDir|withTempHome)\b|=> isMemCloudError\(e\) && e\.code === /m;
  const offenders = [...graph.keys()].filter((f) => !f.startsWith('test/support/') && local.test(readFileSync(join(repo, f), 'utf8')));
  assert.deepEqual(offenders, []);
});
