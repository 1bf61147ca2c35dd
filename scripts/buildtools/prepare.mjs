#!/usr/bin/env node
// The real build tools the build-cache tests and `npm run bench:cache` drive. Turborepo and Nx come
// from npm, pinned, installed on demand into .e2e-cache/build-tools (git-ignored; never the
// project's own dependencies, so `npm ci` stays lean). ccache, Bazel, Gradle, gcc and redis-server
// come from Debian: .ci/run installs them; when one is missing, the error says the exact command.
// Usage: node scripts/buildtools/prepare.mjs
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { withDirLock } from '../e2e/proc.mjs';

const ROOT = new URL('../..', import.meta.url).pathname.replace(/\/$/, '');
export const TOOLS_DIR = join(ROOT, '.e2e-cache', 'build-tools');
export const TURBO_VERSION = '2.11.13';
export const NX_VERSION = '24.0.7';
const MARKER = join(TOOLS_DIR, `.installed-turbo-${TURBO_VERSION}-nx-${NX_VERSION}`);
export const NPM_TOOLS_INSTALL = `node scripts/buildtools/prepare.mjs   (installs turbo@${TURBO_VERSION} and nx@${NX_VERSION} into .e2e-cache/build-tools)`;

/** Debian package of each command the tests run. */
export const DEBIAN_TOOLS = { ccache: 'ccache', bazel: 'bazel-bootstrap', gradle: 'gradle', 'redis-server': 'redis-server', gcc: 'gcc', make: 'make' };

export function debianInstallCommand(packages = Object.values(DEBIAN_TOOLS)) {
  return `apt-get update && apt-get install -y --no-install-recommends ${packages.join(' ')}`;
}

function onPath(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/** The command's path; throws with the exact apt-get command when it is missing. */
export function requireDebianTool(cmd) {
  const pkg = DEBIAN_TOOLS[cmd];
  if (!pkg) throw new Error(`unknown tool ${cmd}`);
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} is not installed; the build-cache tests need it. Run (as root):\n  ${debianInstallCommand([pkg])}`);
  return r.stdout.trim();
}

export const NPM_TOOLS_BIN = join(TOOLS_DIR, 'node_modules', '.bin');
export const NPM_TOOLS_MODULES = join(TOOLS_DIR, 'node_modules');

function installed() {
  return existsSync(MARKER) && existsSync(join(NPM_TOOLS_BIN, 'turbo')) && existsSync(join(NPM_TOOLS_BIN, 'nx'));
}

/** Installs turbo and nx (pinned) unless present; returns the folder holding their binaries. */
export async function prepareNpmTools({ log = (m) => process.stderr.write(`build-tools: ${m}\n`) } = {}) {
  if (installed()) return NPM_TOOLS_BIN;
  mkdirSync(TOOLS_DIR, { recursive: true });
  return withDirLock(join(TOOLS_DIR, '.install.lock'), async () => {
    if (installed()) return NPM_TOOLS_BIN;
    log(`installing turbo@${TURBO_VERSION} and nx@${NX_VERSION} into .e2e-cache/build-tools`);
    rmSync(join(TOOLS_DIR, 'node_modules'), { recursive: true, force: true });
    writeFileSync(join(TOOLS_DIR, 'package.json'), `${JSON.stringify({ name: 'memcloud-build-tools', private: true }, null, 2)}\n`);
    const args = ['install', '--prefix', TOOLS_DIR, `turbo@${TURBO_VERSION}`, `nx@${NX_VERSION}`, '--no-audit', '--no-fund', '--loglevel=error'];
    const r = spawnSync('npm', args, { cwd: TOOLS_DIR, encoding: 'utf8', timeout: 600_000, env: { ...process.env, npm_config_update_notifier: 'false' } });
    if (r.status !== 0 || !existsSync(join(NPM_TOOLS_BIN, 'turbo')) || !existsSync(join(NPM_TOOLS_BIN, 'nx'))) {
      throw new Error(`installing turbo and nx failed (npm ${args.join(' ')}):\n${r.stderr}`);
    }
    writeFileSync(MARKER, `${new Date().toISOString()}\n`);
    log('installed');
    return NPM_TOOLS_BIN;
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  prepareNpmTools().then(
    () => {
      const missing = Object.keys(DEBIAN_TOOLS).filter((c) => !onPath(c));
      if (missing.length > 0) {
        process.stderr.write(`build-tools: missing Debian tools: ${missing.join(', ')}. Run (as root):\n  ${debianInstallCommand(missing.map((c) => DEBIAN_TOOLS[c]))}\n`);
        process.exit(1);
      }
      process.exit(0);
    },
    (err) => {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    },
  );
}
