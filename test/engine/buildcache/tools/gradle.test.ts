// Real Gradle (Debian) against the endpoint of a real node whose lender is another node process:
// a Java project compiled, its build and Gradle's own caches removed, compiled again FROM-CACHE.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireDebianTool } from '../../../../scripts/buildtools/prepare.mjs';
import { plainText, toolEnv, useToolWorld } from './tool-world';

const tools = useToolWorld(() => requireDebianTool('gradle'));

test('gradle: with its build and user home removed, compileJava comes FROM-CACHE (the init script, Basic auth)', () => {
  const dir = join(tools.world.root, 'gradle-project');
  mkdirSync(join(dir, 'src', 'main', 'java'), { recursive: true });
  writeFileSync(join(dir, 'settings.gradle'), "rootProject.name = 'hello'\n");
  writeFileSync(join(dir, 'build.gradle'), "apply plugin: 'java'\n");
  writeFileSync(join(dir, 'src', 'main', 'java', 'Hello.java'), 'public class Hello { public static void main(String[] a) { System.out.println("hello"); } }\n');
  const userHome = join(tools.world.root, 'gradle-home');
  const gradle = () => {
    const env = toolEnv({
      GRADLE_USER_HOME: userHome,
      MEMCLOUD_GRADLE_CACHE_URL: tools.world.vars.MEMCLOUD_GRADLE_CACHE_URL,
      MEMCLOUD_GRADLE_CACHE_TOKEN: tools.world.vars.MEMCLOUD_GRADLE_CACHE_TOKEN,
    });
    const args = ['--no-daemon', '--console=plain', '--build-cache', '--init-script', tools.world.gradleInitScript, 'compileJava'];
    const r = spawnSync('gradle', args, { cwd: dir, env, encoding: 'utf8', timeout: 300_000 });
    assert.equal(r.status, 0, `gradle:\n${r.stdout}\n${r.stderr}`);
    return plainText(r.stdout + r.stderr);
  };
  const first = gradle();
  assert.doesNotMatch(first, /FROM-CACHE/);
  assert.equal(tools.world.cacheStats().protocols.gradle.puts, 1);
  rmSync(join(dir, 'build'), { recursive: true, force: true });
  rmSync(userHome, { recursive: true, force: true });
  const second = gradle();
  assert.match(second, /:compileJava FROM-CACHE/, second);
  assert.equal(tools.world.cacheStats().protocols.gradle.hits, 1);
});
