// No import cycles: a layer never calls back up into the one that uses it (house style 7). Type
// imports count too: a cycle of types is a cycle of concepts.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { importCycles, importGraph } from '../support/import-graph';

const repo = fileURLToPath(new URL('../..', import.meta.url));

test('engine/, extension/ and webview/ have no import cycles', () => {
  const graph = importGraph(repo, ['engine', 'extension', 'webview']);
  assert.ok(graph.size > 150, `the graph holds every source file (${graph.size})`);
  assert.ok((graph.get('engine/node/engine.ts') ?? []).includes('engine/cluster/cluster.ts'), 'imports are resolved to files');
  const cycles = importCycles(graph);
  assert.deepEqual(cycles, [], `import cycles:\n${cycles.map((c) => `  ${c.join(' <-> ')}`).join('\n')}`);
});

test('the cycle finder finds cycles of any length, and self-imports', () => {
  const graph = new Map([
    ['a', ['b']],
    ['b', ['c']],
    ['c', ['a', 'd']],
    ['d', []],
    ['e', ['e']],
    ['f', ['d']],
  ]);
  assert.deepEqual(importCycles(graph), [['a', 'b', 'c'], ['e']]);
  assert.deepEqual(importCycles(new Map([['x', ['y']], ['y', []]])), []);
});
