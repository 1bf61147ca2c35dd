// docs/protocol.md section 10.5 is what the control socket does: one row per JSON op with the op's
// code, and a TypeScript block identical (comments aside) to the engine's declared types, so an
// independent client can be written from the document. Likewise section 10.2's error codes and
// docs/build-cache.md section 10's types (the build-cache ops' results).

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { OpCodes } from '../../../engine/control/protocol';
import { ErrorCodes } from '../../../engine/errors';

const ROOT = join(__dirname, '..', '..', '..');
const doc = readFileSync(join(ROOT, 'docs', 'protocol.md'), 'utf8');
const from = doc.indexOf('### 10.5 JSON ops');
/** Section 10.5 alone: up to the next section heading (later sections have tables of their own). */
const section = doc.slice(from, doc.indexOf('\n## ', from) === -1 ? undefined : doc.indexOf('\n## ', from));

/** Every top-level interface and type alias of `source`, printed without comments. */
function declarations(source: string, file: string): Map<string, string> {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const printer = ts.createPrinter({ removeComments: true });
  const out = new Map<string, string>();
  for (const node of sf.statements) {
    if (ts.isInterfaceDeclaration(node) || ts.isTypeAliasDeclaration(node)) out.set(node.name.text, printer.printNode(ts.EmitHint.Unspecified, node, sf));
  }
  return out;
}

describe('docs/protocol.md section 10.5 (control socket JSON ops)', () => {
  test('the section exists', () => {
    assert.ok(doc.includes('### 10.5 JSON ops'), 'docs/protocol.md has section 10.5');
  });

  test('one row per JSON op, with its code (add a row when you add an op)', () => {
    const rows = new Map<string, number>();
    for (const m of section.matchAll(/^\| (\d+) \| (\w+) \|/gm)) rows.set(m[2]!, Number(m[1]));
    const json = Object.entries(OpCodes).filter(([, code]) => code >= 32);
    assert.deepEqual(new Map(json), rows);
  });

  test('the types block is engine/api/types.ts (and FileTransferOptions), comments aside', () => {
    const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
    assert.ok(block, 'section 10.5 has a ts block');
    const documented = declarations(block, 'doc.ts');
    const declared = declarations(readFileSync(join(ROOT, 'engine', 'api', 'types.ts'), 'utf8'), 'types.ts');
    const api = declarations(readFileSync(join(ROOT, 'engine', 'api', 'engine-api.ts'), 'utf8'), 'engine-api.ts');
    declared.set('FileTransferOptions', api.get('FileTransferOptions')!);
    assert.deepEqual([...documented.keys()].sort(), [...declared.keys()].sort(), 'the same declarations');
    for (const [name, text] of declared) assert.equal(documented.get(name), text, `${name} as documented`);
  });
});

describe('docs/protocol.md section 10.2 (control socket error codes)', () => {
  test('the list of codes is engine/errors.ts, no more and no fewer', () => {
    const from10_2 = doc.indexOf('### 10.2 Frames');
    const part = doc.slice(from10_2, doc.indexOf('### 10.3', from10_2));
    const list = /An error's `code` is one of these (\d+) stable strings[^\n]*\n\n((?:- [^\n]*\n(?:  [^\n]*\n)*)+)/.exec(part);
    assert.ok(list, 'section 10.2 lists the error codes');
    const documented = [...list[2]!.matchAll(/`([A-Z][A-Z_]+)`/g)].map((m) => m[1]!);
    assert.equal(new Set(documented).size, documented.length, 'each code once');
    assert.deepEqual([...documented].sort(), Object.values(ErrorCodes).sort());
    assert.equal(Number(list[1]), documented.length, 'the count in the sentence');
  });
});

describe('docs/build-cache.md section 10 (BuildCacheStatus, BuildCacheEnv)', () => {
  test('the types block is engine/api/build-cache-types.ts, comments aside', () => {
    const bc = readFileSync(join(ROOT, 'docs', 'build-cache.md'), 'utf8');
    const from10 = bc.indexOf('## 10. Status and environment');
    assert.ok(from10 >= 0, 'docs/build-cache.md has section 10');
    const block = /```ts\n([\s\S]*?)```/.exec(bc.slice(from10))?.[1];
    assert.ok(block, 'section 10 has a ts block');
    const documented = declarations(block, 'doc.ts');
    const declared = declarations(readFileSync(join(ROOT, 'engine', 'api', 'build-cache-types.ts'), 'utf8'), 'build-cache-types.ts');
    assert.ok(declared.has('BuildCacheStatus') && declared.has('BuildCacheEnv'));
    assert.deepEqual([...documented.keys()].sort(), [...declared.keys()].sort(), 'the same declarations');
    for (const [name, text] of declared) assert.equal(documented.get(name), text, `${name} as documented`);
  });
});
