#!/usr/bin/env node
// Runs an extension's mocha tests inside the real VS Code extension host (code-server 4.100.3 +
// headless Chromium), the offline equivalent of @vscode/test-electron's extensionTestsPath.
//
// Usage: node scripts/e2e/run-extension-tests.mjs --extension <abs dir> --tests <abs index.js>
//          [--workspace <dir>] [--timeout-ms N] [--env KEY=VALUE]...
// The tests module is CommonJS and exports run(): Promise<void> (rejecting fails the run).
// Exit code: the tests' own (0 pass, 1 fail); 2 for harness errors, including the timeout.
// E2E_VERBOSE=1 also echoes code-server's output and the page console; E2E_KEEP=1 keeps temp dirs.
import { existsSync, statSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { format, parseArgs, stripVTControlCharacters as stripAnsi } from 'node:util';
import { pathToFileURL } from 'node:url';
import { prepare } from './prepare.mjs';
import { startSession } from './session.mjs';

export const HARNESS_ERROR = 2;

/** Parses `KEY=VALUE` pairs; the key must be a plain environment variable name. */
export function parseEnvPairs(pairs) {
  const env = {};
  for (const pair of pairs) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(pair);
    if (!m) throw new Error(`--env expects KEY=VALUE, got ${JSON.stringify(pair)}`);
    env[m[1]] = m[2];
  }
  return env;
}

function requireAbsolute(name, p, kind) {
  if (!p || !isAbsolute(p)) throw new Error(`${name} must be an absolute path`);
  if (!existsSync(p)) throw new Error(`${name} does not exist: ${p}`);
  const isDir = statSync(p).isDirectory();
  if (kind === 'dir' && !isDir) throw new Error(`${name} must be a directory: ${p}`);
  if (kind === 'file' && isDir) throw new Error(`${name} must be a file: ${p}`);
}

/**
 * The text of one codeAutomationLog call. VS Code forwards console calls unformatted, e.g.
 * ['  %d passing (%s)', 5, '147ms'], so apply the printf-style substitution here. The result is plain
 * text: mocha colours its report when FORCE_COLOR or CI asks for it, and colour codes in a log file or
 * a test's match help nobody.
 */
export function formatLogArgs(args) {
  return stripAnsi(Array.isArray(args) ? format(...args) : format(args));
}

/** Our dead gallery address (see code-server.mjs) refusing connections is expected, not news. */
const isGalleryNoise = (text) => text.includes('ECONNREFUSED 127.0.0.1:9');

/**
 * @param {{ extensionDir: string, testsPath: string, workspace?: string, timeoutMs?: number,
 *   env?: Record<string, string>, out?: (line: string) => void }} options
 * @returns {Promise<number>} the exit code
 */
export async function runExtensionTests({ extensionDir, testsPath, workspace, timeoutMs = 180_000, env = {}, out }) {
  const write = out ?? ((line) => process.stdout.write(line + '\n'));
  requireAbsolute('--extension', extensionDir, 'dir');
  requireAbsolute('--tests', testsPath, 'file');
  if (workspace !== undefined) requireAbsolute('--workspace', workspace, 'dir');
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) throw new Error('--timeout-ms must be a positive integer');

  // Installing prerequisites is bounded on its own; the timeout covers server, browser and tests.
  await prepare();
  let settle;
  let settled = false;
  const result = new Promise((resolve) => (settle = resolve)).finally(() => (settled = true));
  const timer = setTimeout(() => {
    write(`e2e: timed out after ${timeoutMs} ms waiting for the extension tests to finish`);
    settle(HARNESS_ERROR);
  }, timeoutMs);
  const starting = startSession({
    prepared: true,
    extensionDir,
    testsPath,
    workspace,
    env,
    beforeNavigate: async (page) => {
      // VS Code calls these in extension-test mode: logs (including the extension host's console)
      // and the final exit code of run().
      await page.exposeFunction('codeAutomationLog', (type, args) => {
        const text = formatLogArgs(args);
        if (settled || isGalleryNoise(text)) return; // the run is over; the workbench is closing
        write(type === 'error' || type === 'warn' ? `[${type}] ${text}` : text);
      });
      await page.exposeFunction('codeAutomationExit', (code) => settle(Number.isInteger(code) ? code : HARNESS_ERROR));
    },
  });
  starting.then(
    (session) =>
      session.page.on('crash', () => {
        write('e2e: the workbench page crashed');
        settle(HARNESS_ERROR);
      }),
    (err) => {
      write(`e2e: ${err instanceof Error ? err.message : String(err)}`);
      settle(HARNESS_ERROR);
    },
  );
  try {
    return await result;
  } finally {
    clearTimeout(timer);
    // Startup is bounded too, so this wait ends even when the timeout hit during startup.
    const session = await starting.catch(() => undefined);
    await session?.close();
  }
}

async function main() {
  const { values } = parseArgs({
    options: {
      extension: { type: 'string' },
      tests: { type: 'string' },
      workspace: { type: 'string' },
      'timeout-ms': { type: 'string' },
      env: { type: 'string', multiple: true },
    },
    strict: true,
  });
  const timeoutMs = values['timeout-ms'] === undefined ? undefined : Number(values['timeout-ms']);
  return runExtensionTests({
    extensionDir: values.extension,
    testsPath: values.tests,
    workspace: values.workspace,
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
    env: parseEnvPairs(values.env ?? []),
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().then(
    (code) => process.exit(code),
    (err) => {
      process.stderr.write(`run-extension-tests: ${err.message}\n`);
      process.exit(HARNESS_ERROR);
    },
  );
}
