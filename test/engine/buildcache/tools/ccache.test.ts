// Real ccache (Debian) against the endpoint of a real node whose lender is another node process: a
// small C project built once with remote storage, the local cache wiped, built again.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireDebianTool } from '../../../../scripts/buildtools/prepare.mjs';
import { plainText, toolEnv, useToolWorld } from './tool-world';

const FILES = 24;
const tools = useToolWorld(() => {
  for (const tool of ['ccache', 'gcc', 'make'] as const) requireDebianTool(tool);
});

function writeProject(dir: string): void {
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < FILES; i++) {
    writeFileSync(join(dir, `unit${i}.c`), `#include <stdio.h>\n#include <string.h>\nint unit${i}(int n) { char b[64]; snprintf(b, sizeof b, "%d-${i}", n); return (int)strlen(b) * ${i + 1}; }\n`);
  }
  const objs = Array.from({ length: FILES }, (_, i) => `unit${i}.o`).join(' ');
  writeFileSync(join(dir, 'Makefile'), `all: ${objs}\n%.o: %.c\n\t$(CC) -O2 -c $< -o $@\nclean:\n\trm -f *.o\n`);
}

function ccacheEnv(ccacheDir: string): NodeJS.ProcessEnv {
  return toolEnv({ CCACHE_DIR: ccacheDir, CCACHE_REMOTE_STORAGE: tools.world.vars.CCACHE_REMOTE_STORAGE, CC: 'ccache gcc', CCACHE_NOHASHDIR: '1' });
}

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): string {
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', timeout: 300_000 });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')}:\n${r.stdout}\n${r.stderr}`);
  return plainText(r.stdout);
}

test('ccache: with the local cache wiped, >= 95% of compilations are remote hits (ccache -s -v), objects identical', () => {
  const project = join(tools.world.root, 'c-project');
  writeProject(project);
  const firstCache = join(tools.world.root, 'ccache-1');
  run('make', ['-j2'], project, ccacheEnv(firstCache));
  const firstObjects = Array.from({ length: FILES }, (_, i) => readFileSync(join(project, `unit${i}.o`)));
  const afterFirst = tools.world.cacheStats();
  assert.ok(afterFirst.protocols.ccache.puts >= FILES, `ccache stored its results: ${JSON.stringify(afterFirst.protocols.ccache)}`);
  assert.ok(tools.world.lenderStats().lent.usedBytes >= afterFirst.bytes, 'the entries are in the lender\'s RAM');

  run('make', ['clean'], project, process.env);
  rmSync(firstCache, { recursive: true, force: true });
  const secondCache = join(tools.world.root, 'ccache-2');
  run('ccache', ['-z'], project, ccacheEnv(secondCache));
  run('make', ['-j2'], project, ccacheEnv(secondCache));
  const stats = run('ccache', ['-s', '-v'], project, ccacheEnv(secondCache));
  const remote = /Remote storage:\s*\n\s*Hits:\s*(\d+)\s*\/\s*(\d+)/.exec(stats);
  assert.ok(remote, `ccache -s -v shows remote storage:\n${stats}`);
  const [hits, lookups] = [Number(remote[1]), Number(remote[2])];
  assert.equal(lookups, FILES, stats);
  assert.ok(hits / lookups >= 0.95, `remote hits ${hits}/${lookups}:\n${stats}`);
  for (let i = 0; i < FILES; i++) assert.deepEqual(readFileSync(join(project, `unit${i}.o`)), firstObjects[i], `unit${i}.o is the same object`);
  const s = tools.world.cacheStats();
  assert.ok(s.protocols.ccache.hits >= hits, 'the endpoint counted the hits');
});
