#!/usr/bin/env node
// Installs what the e2e tests need, idempotently: Debian's chromium, ripgrep and libkrb5-dev, and
// code-server (pinned) into .e2e-cache/code-server. Never into the project's dependencies: its
// install needs root-only tricks and ~300 MB (see /work/shared/docs/vscode-e2e.md).
// Usage: node scripts/e2e/prepare.mjs
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  CACHE_DIR,
  CHROMIUM_PATH,
  CODE_SERVER_DIR,
  CODE_SERVER_ENTRY,
  CODE_SERVER_MARKER,
  CODE_SERVER_PKG,
  CODE_SERVER_VERSION,
  DEBIAN_PACKAGES,
  NO_DOWNLOAD_ENV,
  RIPGREP_ASSET,
  RIPGREP_CACHE_DIR_NAME,
} from './config.mjs';
import { run, withDirLock } from './proc.mjs';

const defaultLog = (msg) => process.stderr.write(`e2e: ${msg}\n`);

function isInstalled(pkg) {
  const r = spawnSync('dpkg-query', ['-W', '-f=${db:Status-Status}', pkg], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.trim() === 'installed';
}

function onPath(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/** Debian packages still missing; node-gyp's toolchain is added only when absent. */
function missingPackages() {
  const missing = DEBIAN_PACKAGES.filter((p) => !isInstalled(p));
  if (!onPath('make') || !onPath('g++')) missing.push('build-essential');
  if (!onPath('python3')) missing.push('python3');
  return missing;
}

async function ensureDebianPackages(log) {
  const missing = missingPackages();
  if (missing.length === 0) return log('debian packages present');
  const command = `apt-get update && apt-get install -y ${missing.join(' ')}`;
  if (process.getuid?.() !== 0) {
    throw new Error(`e2e prerequisites missing (${missing.join(', ')}). Run:\n  sudo sh -c '${command}'`);
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  log('apt-get update');
  await run('apt-get', ['update'], { env, timeoutMs: 300_000 });
  log(`apt-get install -y ${missing.join(' ')}`);
  await run('apt-get', ['install', '-y', ...missing], { env, timeoutMs: 900_000 });
  const still = missingPackages();
  if (still.length > 0) throw new Error(`apt-get did not install: ${still.join(', ')}`);
}

function installedCodeServerVersion() {
  if (!existsSync(CODE_SERVER_MARKER) || !existsSync(CODE_SERVER_ENTRY)) return undefined;
  try {
    return JSON.parse(readFileSync(join(CODE_SERVER_PKG, 'package.json'), 'utf8')).version;
  } catch {
    return undefined;
  }
}

/** npm's node-gyp must use the local Node headers: fetching them from nodejs.org fails offline. */
function nodeHeadersDir() {
  const prefix = dirname(dirname(process.execPath));
  return existsSync(join(prefix, 'include', 'node', 'node.h')) ? prefix : undefined;
}

async function installCodeServer(log) {
  log(`installing code-server ${CODE_SERVER_VERSION} into .e2e-cache/code-server (about a minute)`);
  rmSync(CODE_SERVER_DIR, { recursive: true, force: true });
  const tmp = join(CACHE_DIR, 'tmp');
  const seedDir = join(tmp, RIPGREP_CACHE_DIR_NAME);
  mkdirSync(seedDir, { recursive: true });
  mkdirSync(CODE_SERVER_DIR, { recursive: true });
  // Seed @vscode/ripgrep's download cache with Debian's rg (its postinstall would go to GitHub).
  await run('tar', ['czf', join(seedDir, RIPGREP_ASSET), '-C', dirname(ripgrepPath()), 'rg']);
  const manifest = { name: 'memcloud-e2e-code-server', private: true, dependencies: { 'code-server': CODE_SERVER_VERSION } };
  writeFileSync(join(CODE_SERVER_DIR, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');
  const headers = nodeHeadersDir();
  const env = {
    ...process.env,
    ...NO_DOWNLOAD_ENV,
    TMPDIR: tmp,
    npm_config_yes: 'true', // node-pty's postinstall runs `npx node-gyp`
    npm_config_update_notifier: 'false',
    ...(headers ? { npm_config_nodedir: headers } : {}),
  };
  const args = ['install', '--prefix', CODE_SERVER_DIR, '--unsafe-perm', '--no-audit', '--no-fund', '--loglevel=error'];
  await run('npm', args, { env, cwd: CODE_SERVER_DIR, timeoutMs: 900_000 });
  const version = JSON.parse(readFileSync(join(CODE_SERVER_PKG, 'package.json'), 'utf8')).version;
  if (version !== CODE_SERVER_VERSION || !existsSync(CODE_SERVER_ENTRY)) {
    throw new Error(`code-server install incomplete (found version ${version})`);
  }
  writeFileSync(CODE_SERVER_MARKER, new Date().toISOString() + '\n');
  rmSync(tmp, { recursive: true, force: true });
  log(`code-server ${CODE_SERVER_VERSION} installed`);
}

function ripgrepPath() {
  const r = spawnSync('sh', ['-c', 'command -v rg'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error('rg not found although ripgrep is installed');
  return r.stdout.trim();
}

/** A directory lock, so concurrent test files do not install twice into the same folder. */
function withLock(log, fn) {
  mkdirSync(CACHE_DIR, { recursive: true });
  return withDirLock(join(CACHE_DIR, '.prepare.lock'), fn, { onWait: () => log('waiting for another e2e prepare to finish') });
}

/**
 * Makes the e2e prerequisites present; cheap when they already are.
 * @param {{ log?: (msg: string) => void }} [options]
 * @returns {Promise<{ codeServerEntry: string, chromiumPath: string }>}
 */
export async function prepare({ log = defaultLog } = {}) {
  return withLock(log, async () => {
    await ensureDebianPackages(log);
    if (!existsSync(CHROMIUM_PATH)) throw new Error(`${CHROMIUM_PATH} missing although chromium is installed`);
    const version = installedCodeServerVersion();
    if (version === CODE_SERVER_VERSION) log(`code-server ${version} present`);
    else await installCodeServer(log);
    return { codeServerEntry: CODE_SERVER_ENTRY, chromiumPath: CHROMIUM_PATH };
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  prepare().then(
    () => process.exit(0),
    (err) => {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    },
  );
}
