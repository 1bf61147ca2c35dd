// Starts code-server and headless Debian Chromium in a throw-away sandbox directory.
// code-server runs in its own process group (setsid): the extension host outlives the browser, so
// stop() kills the whole group. Nothing is written outside the sandbox (fresh user data, extensions,
// config, XDG dirs and HOME), and nothing but 127.0.0.1 is contacted.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH, CODE_SERVER_ENTRY } from './config.mjs';
import { Tail, freePort, killGroup, withTimeout } from './proc.mjs';

/** Where galleries point instead of open-vsx.org: nothing listens there, lookups fail at once. */
const DEAD_GALLERY = JSON.stringify({
  serviceUrl: 'http://127.0.0.1:9/gallery',
  itemUrl: 'http://127.0.0.1:9/item',
  resourceUrlTemplate: 'http://127.0.0.1:9/{publisher}/{name}/{version}/{path}',
});

/**
 * A fresh temp directory tree for one run. dispose() removes it.
 * @returns {{ dir: string, userDataDir: string, extensionsDir: string, configFile: string,
 *   home: string, browserProfile: string, workspace: string, env: Record<string, string>,
 *   dispose(): void }}
 */
export function createSandbox() {
  const dir = mkdtempSync(join(tmpdir(), 'memcloud-e2e-'));
  const sub = (name) => {
    const p = join(dir, name);
    mkdirSync(p, { recursive: true, mode: 0o700 });
    return p;
  };
  const env = {
    HOME: sub('home'),
    XDG_CONFIG_HOME: sub('xdg/config'),
    XDG_DATA_HOME: sub('xdg/data'),
    XDG_CACHE_HOME: sub('xdg/cache'),
    XDG_STATE_HOME: sub('xdg/state'),
    XDG_RUNTIME_DIR: sub('xdg/runtime'),
    EXTENSIONS_GALLERY: DEAD_GALLERY,
  };
  return {
    dir,
    userDataDir: sub('user-data'),
    extensionsDir: sub('extensions'),
    configFile: join(dir, 'code-server.yaml'),
    home: env.HOME,
    browserProfile: sub('chromium-profile'),
    workspace: sub('workspace'),
    env,
    dispose: () => rmSync(dir, { recursive: true, force: true, maxRetries: 3 }),
  };
}

/**
 * The environment for code-server and everything it spawns (the extension host inherits it).
 * Variables of an enclosing VS Code, Node test runner or loader are dropped so they cannot leak in.
 */
export function childEnv(sandbox, extra = {}) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith('VSCODE_') || k === 'ELECTRON_RUN_AS_NODE' || k === 'NODE_OPTIONS' || k === 'NODE_TEST_CONTEXT') continue;
    env[k] = v;
  }
  return { ...env, ...sandbox.env, ...extra };
}

/** Arguments shared by the server and its CLI mode (e.g. --install-extension). */
export function codeServerArgs(sandbox, extensionsDir = sandbox.extensionsDir) {
  return [
    CODE_SERVER_ENTRY,
    '--config', sandbox.configFile,
    '--user-data-dir', sandbox.userDataDir,
    '--extensions-dir', extensionsDir,
  ];
}

/**
 * Starts code-server on a free 127.0.0.1 port and waits for /healthz.
 * @param {{ sandbox: ReturnType<typeof createSandbox>, extensionsDir?: string,
 *   env?: Record<string, string>, timeoutMs?: number, verbose?: boolean }} options
 * @returns {Promise<{ port: number, origin: string, pid: number, output: () => string, stop(): Promise<void> }>}
 */
export async function startCodeServer({ sandbox, extensionsDir, env = {}, timeoutMs = 60_000, verbose = false }) {
  let lastError;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    try {
      return await startOnPort({ sandbox, extensionsDir, env, timeoutMs, verbose, port });
    } catch (err) {
      lastError = err;
      if (!/EADDRINUSE/.test(String(err.message))) throw err; // only a lost port race is retried
    }
  }
  throw lastError;
}

async function startOnPort({ sandbox, extensionsDir, env, timeoutMs, verbose, port }) {
  writeFileSync(sandbox.configFile, `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
  const args = [
    ...codeServerArgs(sandbox, extensionsDir),
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--ignore-last-opened',
  ];
  const tail = new Tail(20000);
  // detached: the child calls setsid(), so its pid is the group id of the whole tree.
  const child = spawn(process.execPath, args, {
    env: childEnv(sandbox, env),
    cwd: sandbox.workspace,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const onData = (chunk) => {
    tail.push(chunk);
    if (verbose) process.stderr.write(`[code-server] ${chunk}`);
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  let exited = false;
  child.on('exit', () => (exited = true));
  const stop = async () => {
    await killGroup(child.pid);
  };

  const origin = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited) {
      await stop();
      throw new Error(`code-server exited during startup\n--- output tail ---\n${tail}`);
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`code-server: /healthz not ready after ${timeoutMs} ms\n--- output tail ---\n${tail}`);
    }
    try {
      const res = await fetch(`${origin}/healthz`, { signal: AbortSignal.timeout(2000) });
      if (res.ok) break;
    } catch {}
    await sleep(100);
  }
  return { port, origin, pid: child.pid, output: () => tail.toString(), stop };
}

/**
 * Headless Debian Chromium with a fresh profile in the sandbox. Playwright never downloads a
 * browser here: the executable path is fixed.
 * @returns {Promise<{ context: import('playwright-core').BrowserContext,
 *   page: import('playwright-core').Page, close(): Promise<void> }>}
 */
export async function launchChromium({ sandbox, timeoutMs = 30_000 }) {
  const context = await chromium.launchPersistentContext(sandbox.browserProfile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    env: childEnv(sandbox),
    viewport: { width: 1400, height: 900 },
    timeout: timeoutMs,
    // session.mjs owns signal handling: it closes the browser gracefully, then the server group.
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
  });
  context.setDefaultTimeout(timeoutMs);
  const page = context.pages()[0] ?? (await context.newPage());
  let closed;
  const close = () => (closed ??= withTimeout(context.close(), 10_000, 'closing chromium').catch(() => {}));
  return { context, page, close };
}
