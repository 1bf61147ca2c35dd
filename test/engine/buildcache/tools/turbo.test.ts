// Real Turborepo (npm, pinned) against the endpoint of a real node whose lender is another node
// process: a small monorepo built, then `.turbo` and the outputs removed, then built again.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { NPM_TOOLS_BIN, prepareNpmTools } from '../../../../scripts/buildtools/prepare.mjs';
import { plainText, toolEnv, useToolWorld } from './tool-world';
import { PACKAGES, outputs, writeWorkspace } from './workspace';

const tools = useToolWorld(prepareNpmTools);

function turbo(dir: string): string {
  const env = toolEnv({
    TURBO_API: tools.world.vars.TURBO_API,
    TURBO_TOKEN: tools.world.vars.TURBO_TOKEN,
    TURBO_TEAM: tools.world.vars.TURBO_TEAM,
    TURBO_TELEMETRY_DISABLED: '1',
    DO_NOT_TRACK: '1',
    TURBO_NO_UPDATE_NOTIFIER: '1',
  });
  const r = spawnSync(join(NPM_TOOLS_BIN, 'turbo'), ['run', 'build', '--output-logs=full', '--concurrency=2'], { cwd: dir, env, encoding: 'utf8', timeout: 300_000 });
  assert.equal(r.status, 0, `turbo failed:\n${r.stdout}\n${r.stderr}`);
  return plainText(r.stdout + r.stderr);
}

test('turbo: with .turbo and the outputs removed, the second run is FULL TURBO from the pool', () => {
  const dir = join(tools.world.root, 'turbo-repo');
  writeWorkspace(dir, { 'turbo.json': JSON.stringify({ tasks: { build: { outputs: ['dist/**'] } } }) });
  const first = turbo(dir);
  assert.doesNotMatch(first, /FULL TURBO/);
  assert.match(first, new RegExp(`Cached:\\s+0 cached, ${PACKAGES.length} total`));
  const built = outputs(dir);
  assert.equal(tools.world.cacheStats().protocols.turbo.puts, PACKAGES.length);

  rmSync(join(dir, '.turbo'), { recursive: true, force: true });
  for (const p of PACKAGES) rmSync(join(dir, 'packages', p, 'dist'), { recursive: true, force: true });
  const second = turbo(dir);
  assert.match(second, />>> FULL TURBO/, second);
  assert.equal((second.match(/cache hit, replaying logs/g) ?? []).length, PACKAGES.length, second);
  assert.deepEqual(outputs(dir), built, 'the outputs came back from the cache');
  const s = tools.world.cacheStats();
  assert.equal(s.protocols.turbo.hits, PACKAGES.length);
  assert.ok(s.turboEvents.remoteHits >= PACKAGES.length, `turbo reported its remote hits: ${JSON.stringify(s.turboEvents)}`);
  assert.ok(tools.world.lenderStats().lent.usedBytes >= s.bytes, "the artifacts are in the lender's RAM");
});
