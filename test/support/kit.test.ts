// One test support kit: tests, benchmarks and the fuzz start real nodes through
// test/support/node-process.ts (the demo imports it from there, never the other way round); the
// polling, temp-directory and error-code helpers, the fake engine, the data-model builders and the
// attack tools (duplex pair, raw and hostile peers) live once, in test/support/.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
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

/** Test files outside test/support (and the kit's own test) under `roots`, with their text. */
function testSources(roots: readonly string[]): Array<[file: string, text: string]> {
  return [...importGraph(repo, roots).keys()].filter((f) => !f.startsWith('test/support/')).map((f) => [f, readFileSync(join(repo, f), 'utf8')]);
}

test('one fake engine: no test builds its own EngineApi', () => {
  const fake = /\bimplements EngineApi\b|\bas (?:unknown as )?EngineApi\b|Partial<EngineApi>/;
  assert.deepEqual(
    testSources(['test', 'bench', 'scripts']).filter(([, text]) => fake.test(text)).map(([f]) => f),
    [],
    'use test/support/fake-engine.ts',
  );
});

/** The fields every value of these engine API types has: an object literal naming all of them rebuilds one. */
const MODEL_FIELDS: Readonly<Record<string, readonly string[]>> = {
  PeerInfo: ['publicKey', 'fingerprint', 'name', 'state', 'addresses', 'trusted', 'offeredBytes', 'usedByUsBytes', 'storedHereBytes', 'allowedBytes', 'latencyMs', 'direction'],
  TrustedDeviceInfo: ['publicKey', 'fingerprint', 'name', 'firstSeen', 'lastSeen', 'approval', 'status', 'allowedBytes', 'connected'],
  DataItem: ['id', 'kind', 'name', 'size', 'durability', 'createdAt', 'replicas', 'degraded', 'state'],
  NodeStatus: ['name', 'publicKey', 'fingerprint', 'version', 'pid', 'home', 'listen', 'startedAt', 'offeredBytes', 'memoryBytes', 'crypto', 'discovery'],
  Stats: ['at', 'local', 'lent', 'borrowed', 'pool', 'throughput', 'ops', 'evictions'],
  BuildCacheStatus: ['running', 'url', 'port', 'upstream', 'startedAt', 'entries', 'bytes', 'maxEntryBytes', 'protocols', 'upstreamStats', 'turboEvents'],
};

/** `file: Type` for every object literal in `text` that names all the fields of a data-model type. */
function modelLiterals(file: string, text: string): string[] {
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    // The overrides given to a builder (aPeer({...})) may name every field: that is the builder's job.
    const overrides = node.parent !== undefined && ts.isCallExpression(node.parent) && ts.isIdentifier(node.parent.expression) && /^an?[A-Z]/.test(node.parent.expression.text);
    if (ts.isObjectLiteralExpression(node) && !overrides) {
      const names = new Set(node.properties.map((p) => (p.name && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) ? p.name.text : '')));
      for (const [type, fields] of Object.entries(MODEL_FIELDS)) if (fields.every((f) => names.has(f))) found.push(`${file}: ${type}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS));
  return found;
}

test('the extension and webview tests build peers, devices, items, status and stats with the kit builders', () => {
  const copies = testSources(['test/extension', 'test/webview']).flatMap(([f, text]) => modelLiterals(f, text));
  assert.deepEqual(copies, [], 'use aPeer(), aTrustedDevice(), aDataItem(), aNodeStatus(), aStats(), aBuildCache() from test/support/data-model.ts');
  // The check itself sees a full literal, and not a builder call with overrides.
  assert.deepEqual(modelLiterals('x.ts', `const p = { ${MODEL_FIELDS.PeerInfo!.map((f) => `${f}: 1`).join(', ')} };`), ['x.ts: PeerInfo']);
  assert.deepEqual(modelLiterals('x.ts', "const p = aPeer({ name: 'desk', state: 'connected' });"), []);
});

test('the attack tools and the fake engine live only in test/support', () => {
  const graph = importGraph(repo, ['test', 'bench', 'scripts']);
  const strays = [...graph.keys()].filter((f) => /(?:^|\/)(?:tools\/(?:raw-peer|duplex-pair|hostile-noise|wire-bytes)|fake-engine|fixtures)\.ts$/.test(f) && !f.startsWith('test/support/') && f !== 'test/webview/dashboard/fixtures.ts');
  assert.deepEqual(strays, []);
  for (const [f, deps] of graph) if (deps.some((d) => d.includes('/attacks/tools/'))) assert.fail(`${f} imports the old attack tools folder`);
});
