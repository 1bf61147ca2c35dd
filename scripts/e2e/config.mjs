// Pinned versions and paths shared by the end-to-end harness (see /work/shared/docs/vscode-e2e.md).
import { join } from 'node:path';

export const ROOT = new URL('../..', import.meta.url).pathname.replace(/\/$/, '');

/** Git-ignored; holds everything the e2e harness installs on demand. */
export const CACHE_DIR = join(ROOT, '.e2e-cache');

/** code-server 4.100.x embeds VS Code 1.100.3 and still runs on Node 20 (4.103+ need Node 22). */
export const CODE_SERVER_VERSION = '4.100.3';
export const CODE_SERVER_DIR = join(CACHE_DIR, 'code-server');
export const CODE_SERVER_PKG = join(CODE_SERVER_DIR, 'node_modules', 'code-server');
export const CODE_SERVER_ENTRY = join(CODE_SERVER_PKG, 'out', 'node', 'entry.js');
/** Written only after a complete install, so a half-finished one is redone, not reused. */
export const CODE_SERVER_MARKER = join(CODE_SERVER_DIR, `.installed-${CODE_SERVER_VERSION}`);

/**
 * @vscode/ripgrep (pulled in by code-server) fetches rg from GitHub at install time; we seed its
 * cache with Debian's rg instead. The folder name carries the @vscode/ripgrep version and the file
 * name the rg release it asks for: both are fixed by the pinned code-server version.
 */
export const RIPGREP_CACHE_DIR_NAME = 'vscode-ripgrep-cache-1.15.11';
export const RIPGREP_ASSET = 'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz';

export const CHROMIUM_PATH = '/usr/bin/chromium';
/** Chromium flags from the measured setup, plus a resolver rule so no host but 127.0.0.1 resolves. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1',
];

export const DEBIAN_PACKAGES = ['chromium', 'ripgrep', 'libkrb5-dev'];

/**
 * Environment for every npm install the harness runs: no tool may fetch a browser or an Electron
 * binary (the machine is offline apart from the npm registry and Debian).
 */
export const NO_DOWNLOAD_ENV = {
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1',
  PUPPETEER_SKIP_DOWNLOAD: '1',
  PUPPETEER_SKIP_CHROMIUM_DOWNLOAD: '1',
  ELECTRON_SKIP_BINARY_DOWNLOAD: '1',
};
