#!/usr/bin/env node
// Packages an extension as a .vsix (@vscode/vsce) and proves a .vsix installs and activates in a
// real VS Code: `code-server --install-extension` into a fresh extensions dir, then the workbench
// opens with it (no development path) and its view must fill with rows, which only happens once
// activate() has registered the tree's data provider.
//
// Usage: node scripts/e2e/install-vsix.mjs <file.vsix> [--command "Category: Title"]
//          [--expect-notification <text>] [--screenshot <file.png>]
// Exit code 0 when installed and activated, 1 otherwise.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { childEnv, codeServerArgs, createSandbox } from './code-server.mjs';
import { NO_DOWNLOAD_ENV, ROOT } from './config.mjs';
import { prepare } from './prepare.mjs';
import { run } from './proc.mjs';
import { openActivity, openWorkbench, runCommand, screenshot, waitForNotification } from './workbench.mjs';

/**
 * Packages `extensionDir` into `outFile` with the project's @vscode/vsce (no dependency scan: the
 * extension ships bundled).
 */
export async function packageVsix(extensionDir, outFile) {
  const vsce = join(ROOT, 'node_modules', '@vscode', 'vsce', 'vsce');
  if (!existsSync(vsce)) throw new Error('@vscode/vsce is not installed (npm install -D @vscode/vsce@3.9.2)');
  const args = [vsce, 'package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '--out', outFile];
  await run(process.execPath, args, { cwd: extensionDir, env: { ...process.env, ...NO_DOWNLOAD_ENV }, timeoutMs: 120_000 });
  return outFile;
}

/**
 * Installs a .vsix into the sandbox's extensions dir with code-server's CLI.
 * @returns {Promise<{ dir: string, manifest: Record<string, any> }[]>} the installed extensions
 */
export async function installVsix(vsix, sandbox) {
  if (!isAbsolute(vsix) || !existsSync(vsix)) throw new Error(`no such .vsix: ${vsix}`);
  await run(process.execPath, [...codeServerArgs(sandbox), '--force', '--install-extension', vsix], {
    env: childEnv(sandbox),
    cwd: sandbox.workspace,
    timeoutMs: 120_000,
  });
  const installed = readdirSync(sandbox.extensionsDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(sandbox.extensionsDir, d.name, 'package.json')))
    .map((d) => {
      const dir = join(sandbox.extensionsDir, d.name);
      return { dir, manifest: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) };
    });
  if (installed.length === 0) throw new Error(`code-server installed nothing from ${vsix}`);
  return installed;
}

/**
 * Installs `vsix` into a fresh sandbox, opens the workbench, opens the extension's activity-bar
 * container and waits for its tree to show rows; optionally runs a palette command, waits for a
 * notification and saves a screenshot. Always cleans up.
 * @returns {Promise<{ id: string, version: string }>}
 */
export async function verifyVsix({ vsix, command, expectNotification, screenshotFile, env = {}, timeoutMs = 60_000 }) {
  await prepare();
  const sandbox = createSandbox();
  let workbench;
  try {
    const [{ manifest }] = await installVsix(vsix, sandbox);
    const id = `${manifest.publisher}.${manifest.name}`;
    const title = manifest.contributes?.viewsContainers?.activitybar?.[0]?.title;
    if (!title) throw new Error(`${id} contributes no activity-bar container to check activation with`);
    workbench = await openWorkbench({ sandbox, extensionsDir: sandbox.extensionsDir, activityTitle: title, env, timeoutMs, prepared: true });
    const { page } = workbench;
    await openActivity(page, title);
    await page.locator('.part.sidebar .monaco-list-row').first().waitFor({ state: 'visible', timeout: timeoutMs });
    if (command) await runCommand(page, command);
    if (expectNotification) await waitForNotification(page, expectNotification);
    if (screenshotFile) await screenshot(page, screenshotFile);
    return { id, version: manifest.version };
  } finally {
    if (workbench) await workbench.close();
    else sandbox.dispose();
  }
}

async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      command: { type: 'string' },
      'expect-notification': { type: 'string' },
      screenshot: { type: 'string' },
    },
  });
  if (positionals.length !== 1) throw new Error('usage: install-vsix.mjs <file.vsix> [--command T] [--expect-notification T] [--screenshot F]');
  const result = await verifyVsix({
    vsix: resolve(positionals[0]),
    command: values.command,
    expectNotification: values['expect-notification'],
    screenshotFile: values.screenshot && resolve(values.screenshot),
  });
  process.stdout.write(`e2e: ${result.id}@${result.version} installed and activated\n`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().then(
    () => process.exit(0),
    (err) => {
      process.stderr.write(`install-vsix: ${err.message}\n`);
      process.exit(1);
    },
  );
}
