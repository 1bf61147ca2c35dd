// The dashboard in a real headless Chromium (Debian's, driven by playwright-core), its host side
// wired as the extension wires it: the DashboardHost showing a NodeModel that reads a real node
// through the SDK and follows its events, with ItemActions for the row buttons. The page is served
// under the CSP the extension sets (dashboard-page.ts); console errors, warnings and dialogs are
// collected for the test to check.

import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import type { MemCloud } from '../../engine/sdk';
import { DashboardHost } from '../../extension/dashboard/dashboard-host';
import { ItemActions } from '../../extension/data/item-actions';
import { NodeModel } from '../../extension/model/node-model';
import type { HostToWebview } from '../../webview/dashboard/protocol';
import { CHROMIUM_ARGS, CHROMIUM_PATH as CHROMIUM } from '../../scripts/e2e/config.mjs';
import { serveDashboard, type DashboardPageServer } from './dashboard-page';

export const WAIT = 20_000;

/** Debian's chromium, installed (as root) by the e2e harness when missing; never downloaded. */
export async function ensureChromium(): Promise<void> {
  if (existsSync(CHROMIUM)) return;
  if (process.getuid?.() !== 0) throw new Error(`${CHROMIUM} is missing. Run: sudo apt-get install -y chromium (or node scripts/e2e/prepare.mjs as root)`);
  const { prepare } = await import('../../scripts/e2e/prepare.mjs');
  await prepare();
}

export interface DashboardInBrowser {
  readonly page: Page;
  readonly host: DashboardHost;
  readonly model: NodeModel;
  readonly server: DashboardPageServer;
  readonly consoleErrors: string[];
  readonly consoleWarnings: string[];
  readonly dialogs: string[];
  /** Delivers a message to the page as the host would. */
  deliver(message: unknown): Promise<void>;
  close(): Promise<void>;
}

/** Opens the dashboard for the node `mc` is connected to; restores go to `restoreDir`/restored-<kind>. */
export async function openDashboard(mc: MemCloud, profileDir: string, restoreDir: string): Promise<DashboardInBrowser> {
  await ensureChromium();
  const server = await serveDashboard();
  const context: BrowserContext = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1180, height: 900 },
    timeout: WAIT,
  });
  context.setDefaultTimeout(WAIT);
  const page = context.pages()[0] ?? (await context.newPage());
  const consoleErrors: string[] = [];
  const consoleWarnings: string[] = [];
  const dialogs: string[] = [];
  page.on('console', (m) => (m.type() === 'error' ? consoleErrors : m.type() === 'warning' ? consoleWarnings : []).push(m.text()));
  page.on('pageerror', (e) => consoleErrors.push(`pageerror: ${e.message}`));
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  const deliver = async (m: unknown) => void (await page.evaluate((x) => (globalThis as unknown as { __deliver(m: unknown): void }).__deliver(x), m));

  // The extension's one model of the node, fed by its events, and the item actions of its commands.
  const model = new NodeModel();
  model.setClient(mc);
  const unsubscribe = mc.subscribe((event) => model.onEngineEvent(event));
  const actions = new ItemActions({
    client: () => mc,
    refresh: (parts) => model.refresh(parts),
    ui: {
      confirmFree: async () => true,
      chooseRestorePath: async (item) => join(restoreDir, `restored-${item.kind}`),
      writeFile: (path, data) => writeFile(path, data),
    },
    pull: (item, path) => mc.pullFile(item.id, path),
  });
  const host = new DashboardHost({ model, actions, post: (message: HostToWebview) => deliver(message) });
  await page.exposeFunction('__hostRequest', (message: unknown) => host.receive(message));
  host.setVisible(true);
  await page.goto(`${server.origin}/`);
  return {
    page,
    host,
    model,
    server,
    consoleErrors,
    consoleWarnings,
    dialogs,
    deliver,
    async close() {
      host.dispose();
      unsubscribe();
      model.dispose();
      await context.close().catch(() => undefined);
      await server.close();
    },
  };
}
