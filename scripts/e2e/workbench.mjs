// Drives the real VS Code workbench (code-server in headless Chromium) for UI-level e2e tests:
// open it with an extension, run commands from the palette, wait for views and notifications,
// take screenshots. Every wait is bounded by `timeoutMs`.
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { startSession } from './session.mjs';

const DEFAULT_TIMEOUT_MS = 30_000;

/** CSS attribute values are quoted with "; escape what would end or break the string. */
const cssString = (s) => s.replace(/["\\]/g, '\\$&');

const exactly = (text) => new RegExp(`^\\s*${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`);

/** The first activity-bar container title an extension contributes, if any. */
export function activityBarTitle(extensionDir) {
  const manifest = JSON.parse(readFileSync(join(extensionDir, 'package.json'), 'utf8'));
  return manifest.contributes?.viewsContainers?.activitybar?.[0]?.title;
}

/** The activity-bar entry of a view container (its aria-label may end with a keybinding). */
export function activityBarItem(page, title) {
  return page.locator(`.part.activitybar .action-item .action-label[aria-label^="${cssString(title)}"]`).first();
}

/**
 * Opens the workbench with an extension under development (`extensionDir`) and/or the extensions
 * installed in `extensionsDir`, and waits until the extension's activity-bar icon is shown: before
 * that, the command palette may not list its commands yet.
 * @param {{ extensionDir?: string, extensionsDir?: string, workspace?: string,
 *   env?: Record<string, string>, activityTitle?: string, timeoutMs?: number,
 *   sandbox?: object }} options
 * @returns {Promise<{ page: import('playwright-core').Page, sandboxDir: string, close(): Promise<void> }>}
 */
export async function openWorkbench(options) {
  const { extensionDir, timeoutMs = 60_000 } = options;
  const title = options.activityTitle ?? (extensionDir ? activityBarTitle(extensionDir) : undefined);
  const session = await startSession(options);
  try {
    session.page.setDefaultTimeout(DEFAULT_TIMEOUT_MS);
    await session.page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: timeoutMs });
    if (title) await activityBarItem(session.page, title).waitFor({ state: 'visible', timeout: timeoutMs });
    return { page: session.page, sandboxDir: session.sandbox.dir, close: session.close };
  } catch (err) {
    await session.close();
    throw err;
  }
}

/**
 * Runs a command by its palette title (with category, e.g. "MemCloud: Show Status"): F1, type,
 * wait for that exact entry, Enter.
 */
export async function runCommand(page, title, { timeoutMs = DEFAULT_TIMEOUT_MS } = {}) {
  // A webview that is (re)loading can take the focus back and close the palette under our hands:
  // the whole sequence is retried a few times before giving up.
  for (let attempt = 1; ; attempt++) {
    try {
      await runCommandOnce(page, title, attempt < 3 ? Math.min(timeoutMs, 10_000) : timeoutMs);
      return;
    } catch (err) {
      if (attempt >= 3) throw err;
      await page.keyboard.press('Escape').catch(() => {});
      await page.waitForTimeout(300);
    }
  }
}

async function runCommandOnce(page, title, timeoutMs) {
  const widget = page.locator('.quick-input-widget');
  const input = widget.locator('.quick-input-box input');
  await page.keyboard.press('F1');
  await input.waitFor({ state: 'visible', timeout: timeoutMs });
  await input.fill(`>${title}`, { timeout: timeoutMs });
  const entry = widget.locator('.monaco-list-row', { has: page.locator('.label-name', { hasText: exactly(title) }) }).first();
  try {
    await entry.waitFor({ state: 'visible', timeout: timeoutMs });
  } catch (err) {
    const shown = await widget.locator('.monaco-list-row').allInnerTexts().catch(() => []);
    throw new Error(`command "${title}" not in the palette; shown: ${JSON.stringify(shown)}`, { cause: err });
  }
  // Enter runs the focused entry; if a longer or recently used title ranks first, move the focus to
  // ours with the arrow keys (clicking a row can hit one the list has not laid out yet).
  const rows = await widget.locator('.monaco-list-row').count();
  for (let i = 0; i <= rows; i++) {
    const label = await widget.locator('.monaco-list-row.focused .label-name').first().innerText({ timeout: 2000 }).catch(() => '');
    if (label.trim() === title) break;
    if (i === rows) throw new Error(`could not focus "${title}" in the palette`);
    await input.press('ArrowDown');
  }
  await input.press('Enter');
  await widget.waitFor({ state: 'hidden', timeout: timeoutMs });
}

/** Opens a view container by clicking its activity-bar icon. */
export async function openActivity(page, title, { timeoutMs = DEFAULT_TIMEOUT_MS } = {}) {
  const item = activityBarItem(page, title);
  await item.waitFor({ state: 'visible', timeout: timeoutMs });
  const selected = await item.evaluate((el) => el.closest('.action-item')?.classList.contains('checked') ?? false);
  if (!selected) await item.click();
  await page.locator('.part.sidebar').waitFor({ state: 'visible', timeout: timeoutMs });
}

/** Waits for a tree item with this label in the side bar (a tree view rendered by the extension). */
export async function waitForTreeItem(page, label, { timeoutMs = DEFAULT_TIMEOUT_MS } = {}) {
  const row = page.locator('.part.sidebar .monaco-list-row', { has: page.locator('.label-name', { hasText: exactly(label) }) });
  await row.first().waitFor({ state: 'visible', timeout: timeoutMs });
  return row.first();
}

/**
 * Chooses `label` in the open context menu. A click that lands while the menu is still settling can
 * leave the item highlighted but not run (seen on a busy machine): then Enter runs the highlighted
 * item. Enter is pressed only while the menu is still open, so the item never runs twice.
 */
export async function chooseContextMenuItem(page, label, { timeoutMs = DEFAULT_TIMEOUT_MS } = {}) {
  const menu = page.locator('.context-view .monaco-menu');
  const item = page.locator('.context-view .action-label', { hasText: label }).first();
  await item.waitFor({ state: 'visible', timeout: timeoutMs });
  await item.hover();
  await item.click();
  const closed = await menu.waitFor({ state: 'detached', timeout: 3_000 }).then(() => true, () => false);
  if (!closed) {
    await item.hover();
    await page.keyboard.press('Enter');
    await menu.waitFor({ state: 'detached', timeout: timeoutMs });
  }
}

/** Waits for a notification toast containing `text`. */
export async function waitForNotification(page, text, { timeoutMs = DEFAULT_TIMEOUT_MS } = {}) {
  const toast = page.locator('.notifications-toasts .notification-toast', { hasText: text });
  await toast.first().waitFor({ state: 'visible', timeout: timeoutMs });
  return toast.first();
}

/** Saves a PNG screenshot of the whole workbench to `file` (directories are created). */
export async function screenshot(page, file) {
  mkdirSync(dirname(file), { recursive: true });
  await page.screenshot({ path: file, type: 'png', timeout: DEFAULT_TIMEOUT_MS });
  return file;
}
