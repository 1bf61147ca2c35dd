// Shared by the extension's end-to-end tests: an up-to-date build, the mocha suites bundled for
// the extension host, and real nodes in temporary homes (the extension's own home is prepared so
// the peer "desk" already trusts it).
import { build, type Plugin } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import assert from 'node:assert/strict';
import type { Locator } from 'playwright-core';
import { prepare } from '../../../scripts/e2e/prepare.mjs';
import { CLI, cli, startNode, type RunningNode } from '../../support/node-process';
import { runExtensionTests } from '../../../scripts/e2e/run-extension-tests.mjs';

export const ROOT = join(import.meta.dirname, '..', '..', '..');
const require = createRequire(import.meta.url);

/** What the extension needs in dist/ at run time. */
const SHIPPED = ['extension.js', 'engine-worker.js', 'crypto-task.js', 'libsodium.js', 'cli.js'];
const SOURCES = ['engine', 'extension', 'webview', join('scripts', 'build.mjs')];

function newestMtime(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = 0;
  for (const name of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, name)));
  return newest;
}

function buildIsFresh(): boolean {
  const files = SHIPPED.map((f) => join(ROOT, 'dist', f));
  if (!files.every(existsSync)) return false;
  const oldestOutput = Math.min(...files.map((f) => statSync(f).mtimeMs));
  const newestSource = Math.max(...SOURCES.map((s) => join(ROOT, s)).filter(existsSync).map(newestMtime));
  return oldestOutput >= newestSource;
}

/**
 * Runs `npm run build` unless dist/ is newer than every source (as after `npm test`'s own build):
 * a rebuild empties dist/, which other test files may be using. One build at a time (a lock dir).
 */
export async function ensureBuilt(): Promise<void> {
  if (buildIsFresh()) return;
  const lock = join(ROOT, '.e2e-cache', 'build.lock');
  mkdirSync(join(ROOT, '.e2e-cache'), { recursive: true });
  for (let i = 0; ; i++) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (i > 600) rmSync(lock, { recursive: true, force: true }); // left by a killed run (2 min)
      await sleep(200);
    }
  }
  try {
    if (buildIsFresh()) return;
    const r = spawnSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
    if (r.status !== 0) throw new Error(`npm run build failed:\n${r.stdout}\n${r.stderr}`);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** mocha stays external and is required by absolute path: index and suites share one instance. */
const mochaByAbsolutePath: Plugin = {
  name: 'mocha-absolute',
  setup(b) {
    b.onResolve({ filter: /^mocha$/ }, () => ({ path: require.resolve('mocha'), external: true }));
  },
};

/** Bundles the in-host suites into `outDir`; returns the extensionTestsPath entry (`index`'s). */
export async function buildSuites(outDir: string, files: readonly [index: string, suite: string] = ['index.ts', 'memcloud.suite.ts']): Promise<string> {
  const dir = join(import.meta.dirname, 'suite');
  await build({
    entryPoints: files.map((f) => join(dir, f)),
    outdir: outDir,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    logLevel: 'warning',
    external: ['vscode'],
    plugins: [mochaByAbsolutePath],
  });
  return join(outDir, files[0].replace(/\.ts$/, '.js'));
}

export interface TestWorld {
  /** Temp dir (short: control sockets live in the homes). */
  readonly work: string;
  /** The extension's home, with config.json (127.0.0.1, no discovery, name "laptop"). */
  readonly home: string;
  readonly homeKey: string;
  readonly desk: RunningNode;
  readonly deskKey: string;
  readonly deskAddress: string;
  /** A home whose node trusts the extension's node but is unknown to it. */
  readonly strangerHome: string;
  /** --env for the extension host. */
  readonly env: Record<string, string>;
  close(): Promise<void>;
}

/** A TCP port that was free on 127.0.0.1 a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** The identity of a home (created on first use), as `memcloud id --json` prints it. */
export function deviceId(home: string): { readonly publicKey: string; readonly fingerprint: string } {
  return JSON.parse(cli(home, ['id', '--json'])) as { publicKey: string; fingerprint: string };
}

function keyOf(home: string): string {
  return deviceId(home).publicKey;
}

/** Where the workbench tests save their screenshots. */
export const SHOTS = join(ROOT, '.e2e-cache', 'screenshots');

/** Anchors that would navigate or run something: the workbench renders links as <a href>. */
export async function links(scope: Locator): Promise<string[]> {
  return scope.locator('a[href]').evaluateAll((as) => as.map((a) => a.getAttribute('href') ?? ''));
}

export interface WorkbenchHomes<K extends string> {
  /** The temp dir holding every home (removed by close()). */
  readonly work: string;
  /** The port the extension's node listens on (127.0.0.1). */
  readonly port: number;
  /** `ext` is the extension's home (identity made, config.json written); the others are empty paths. */
  readonly homes: Readonly<Record<'ext' | K, string>>;
  close(): void;
}

/**
 * What a workbench test needs before it opens VS Code: code-server and Chromium prepared, the build
 * up to date, and temp homes: the extension's own ("laptop" on 127.0.0.1 at a free port, no
 * discovery, its identity made) and one path per other name, for the test to fill.
 */
export async function workbenchHomes<K extends string>(prefix: string, others: readonly K[]): Promise<WorkbenchHomes<K>> {
  await prepare();
  await ensureBuilt();
  const work = mkdtempSync(join('/tmp', prefix));
  const homes = Object.fromEntries(['ext', ...others].map((k) => [k, join(work, k)])) as Record<'ext' | K, string>;
  const port = await freePort();
  keyOf(homes.ext);
  writeFileSync(join(homes.ext, 'config.json'), JSON.stringify({ name: 'laptop', host: '127.0.0.1', port, discovery: false }));
  return { work, port, homes, close: () => rmSync(work, { recursive: true, force: true }) };
}

/**
 * Homes and nodes for a run. `port` fixes the extension node's port (0: any); `deskConnects` makes
 * desk dial the extension's node itself (it then waits for consent there).
 */
export async function createWorld(opts: { readonly port?: number; readonly deskConnects?: boolean } = {}): Promise<TestWorld> {
  const work = mkdtempSync('/tmp/mc-ext-');
  const home = join(work, 'h1');
  const deskHome = join(work, 'h2');
  const strangerHome = join(work, 'h3');
  const files = join(work, 'files');
  mkdirSync(files);
  let desk: RunningNode | undefined;
  try {
    const homeKey = keyOf(home); // creates the extension's identity before the extension runs
    // The build cache's read deadline is generous: the suite checks hit rates on a busy machine.
    const buildCache = { enabled: false, deadlineMs: 5000 };
    writeFileSync(join(home, 'config.json'), JSON.stringify({ name: 'laptop', host: '127.0.0.1', port: opts.port ?? 0, discovery: false, buildCache }));
    cli(deskHome, ['trust', 'add', homeKey, '--name', 'laptop']);
    cli(strangerHome, ['trust', 'add', homeKey, '--name', 'laptop']);
    const extra = opts.deskConnects && opts.port ? ['--connect', `127.0.0.1:${opts.port}`] : [];
    desk = await startNode('desk', deskHome, extra);
    const deskKey = keyOf(deskHome);
    const deskAddress = `127.0.0.1:${desk.port}`;
    const started = desk;
    return {
      work,
      home,
      homeKey,
      desk,
      deskKey,
      deskAddress,
      strangerHome,
      env: {
        MEMCLOUD_HOME: home,
        MEMCLOUD_TEST_PEER: deskAddress,
        MEMCLOUD_TEST_PEER_KEY: deskKey,
        MEMCLOUD_TEST_WORK: files,
        MEMCLOUD_TEST_STRANGER_HOME: strangerHome,
        MEMCLOUD_TEST_CLI: CLI,
        MEMCLOUD_TEST_NODE_BIN: process.execPath,
      },
      async close() {
        await started.stop();
        rmSync(work, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await desk?.stop();
    rmSync(work, { recursive: true, force: true });
    throw err;
  }
}

/** Runs a bundled suite in the extension host; every title in `expected` must pass, none be pending. */
export async function expectSuitePasses(world: TestWorld, testsPath: string, expected: readonly string[]): Promise<void> {
  const lines: string[] = [];
  const workspace = join(world.work, 'workspace');
  mkdirSync(workspace);
  const code = await runExtensionTests({
    extensionDir: ROOT,
    testsPath,
    workspace,
    env: world.env,
    timeoutMs: 240_000,
    out: (line) => {
      lines.push(line);
      process.stdout.write(`  | ${line}\n`);
    },
  });
  const output = lines.join('\n');
  assert.equal(code, 0, `extension tests exited with ${code}`);
  for (const title of expected) assert.ok(output.includes(`✔ ${title}`), `passed: ${title}`);
  assert.match(output, new RegExp(`${expected.length} passing`));
  assert.doesNotMatch(output, /pending|failing/);
}
