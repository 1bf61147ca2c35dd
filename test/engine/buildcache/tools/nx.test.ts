// Real Nx (npm, pinned) against the endpoint of a real node whose lender is another node process:
// remote hits show as [remote cache]; with the lender killed, the build still passes.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { NPM_TOOLS_BIN, prepareNpmTools } from '../../../../scripts/buildtools/prepare.mjs';
import { plainText, toolEnv, useToolWorld } from './tool-world';
import { PACKAGES, outputs, writeWorkspace } from './workspace';

const tools = useToolWorld(prepareNpmTools);

function wipe(dir: string): void {
  rmSync(join(dir, '.nx'), { recursive: true, force: true });
  for (const p of PACKAGES) rmSync(join(dir, 'packages', p, 'dist'), { recursive: true, force: true });
}

function nx(dir: string): { code: number; output: string } {
  const env = toolEnv({
    NX_SELF_HOSTED_REMOTE_CACHE_SERVER: tools.world.vars.NX_SELF_HOSTED_REMOTE_CACHE_SERVER,
    NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN: tools.world.vars.NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN,
    NX_CACHE_DIRECTORY: join(dir, '.nx', 'cache'),
    NX_DAEMON: 'false',
    NX_NO_CLOUD: 'true',
    NX_TUI: 'false',
    NX_SKIP_NX_CACHE: 'false',
  });
  const r = spawnSync(join(NPM_TOOLS_BIN, 'nx'), ['run-many', '-t', 'build', '--output-style=static', '--parallel=2'], { cwd: dir, env, encoding: 'utf8', timeout: 300_000 });
  return { code: r.status ?? -1, output: plainText(r.stdout + r.stderr) };
}

test('nx: remote hits show as [remote cache]; with the lender killed the build still passes', async () => {
  const dir = join(tools.world.root, 'nx-repo');
  writeWorkspace(dir, { 'nx.json': JSON.stringify({ targetDefaults: { build: { cache: true, outputs: ['{projectRoot}/dist'] } } }) });
  const first = nx(dir);
  assert.equal(first.code, 0, first.output);
  assert.doesNotMatch(first.output, /\[remote cache\]/);
  const built = outputs(dir);
  assert.equal(tools.world.cacheStats().protocols.nx.puts, PACKAGES.length);

  wipe(dir);
  const second = nx(dir);
  assert.equal(second.code, 0, second.output);
  for (const p of PACKAGES) assert.match(second.output, new RegExp(`nx run ${p}:build\\s+\\[remote cache\\]`), second.output);
  assert.deepEqual(outputs(dir), built);
  assert.equal(tools.world.cacheStats().protocols.nx.hits, PACKAGES.length);

  // The lender dies: its entries are gone with it. Nx sees misses, never an error, and builds.
  tools.world.lender.process.kill('SIGKILL');
  await new Promise<void>((resolve) => (tools.world.lender.process.exitCode !== null ? resolve() : tools.world.lender.process.once('exit', () => resolve())));
  wipe(dir);
  const third = nx(dir);
  assert.equal(third.code, 0, `the build passes without the lender:\n${third.output}`);
  assert.doesNotMatch(third.output, /\[remote cache\]/);
  assert.deepEqual(outputs(dir), built);
  const s = tools.world.cacheStats().protocols.nx;
  assert.ok(s.misses >= 2 * PACKAGES.length, JSON.stringify(s));
});
