// Real Bazel (Debian bazel-bootstrap) against the endpoint of a real node whose lender is another
// node process: a genrule built, `bazel clean`, built again as a remote cache hit.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireDebianTool } from '../../../../scripts/buildtools/prepare.mjs';
import { plainText, toolEnv, useToolWorld } from './tool-world';

const tools = useToolWorld(() => requireDebianTool('bazel'));

test('bazel: after `bazel clean` the genrule is a remote cache hit', () => {
  const dir = join(tools.world.root, 'bazel-ws');
  mkdirSync(dir);
  writeFileSync(join(dir, 'WORKSPACE'), '');
  writeFileSync(join(dir, 'BUILD'), 'genrule(name = "greeting", outs = ["greeting.txt"], cmd = "echo hello from bazel > $@")\n');
  // --batch: no server outlives the test; a private output root. The system rc stays: Debian's Bazel
  // needs its install base and JDK settings from /etc/bazel/bazelrc.
  const startup = ['--batch', `--output_user_root=${join(tools.world.root, 'bazel-root')}`, '--nohome_rc'];
  const bazel = (...args: string[]) => {
    const r = spawnSync('bazel', [...startup, ...args], { cwd: dir, encoding: 'utf8', timeout: 300_000, env: toolEnv({ HOME: tools.world.root }) });
    assert.equal(r.status, 0, `bazel ${args.join(' ')}:\n${r.stdout}\n${r.stderr}`);
    return plainText(r.stdout + r.stderr);
  };
  const build = () => bazel('build', '//:greeting', ...tools.world.bazelFlags);
  const first = build();
  assert.doesNotMatch(first, /remote cache hit/);
  const s1 = tools.world.cacheStats().protocols.bazel;
  assert.ok(s1.puts >= 2, `an action result and its output were stored: ${JSON.stringify(s1)}`);
  bazel('clean');
  const second = build();
  assert.match(second, /1 remote cache hit/, second);
  assert.equal(readFileSync(join(dir, 'bazel-bin', 'greeting.txt'), 'utf8'), 'hello from bazel\n', 'the output came back from the cache');
  assert.ok(tools.world.cacheStats().protocols.bazel.hits >= 2, 'the action result and its output were served');
});
