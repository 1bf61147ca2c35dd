// The MemCloud UI in a real VS Code workbench, driven like a user: the peer "desk" dials this
// machine and the consent notification appears; "MemCloud: Trust Device" from the command palette
// lists it with its full fingerprint; picking it admits it, and the sidebar shows it connected.
// Screenshots are saved under .e2e-cache/screenshots/.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { prepare } from '../../../scripts/e2e/prepare.mjs';
import { activityBarItem, openActivity, openWorkbench, runCommand, screenshot, waitForNotification, waitForTreeItem } from '../../../scripts/e2e/workbench.mjs';
import { ROOT, SHOTS, createWorld, ensureBuilt, freePort, type TestWorld } from './setup';


function assertPng(file: string, minBytes: number): void {
  const png = readFileSync(file);
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], `${file} is a PNG`);
  assert.ok(png.readUInt32BE(16) > 100 && png.readUInt32BE(20) > 100, `${file} has a real size`);
  assert.ok(png.length > minBytes, `${file} shows something (${png.length} bytes)`);
}

/** The quick pick row whose label contains `text`. */
async function quickPickRow(page: Page, text: string) {
  const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: text }).first();
  await row.waitFor({ state: 'visible', timeout: 30_000 });
  return row;
}

/** Drags the side bar's edge so tree descriptions are not cut off in the screenshot. */
async function widenSidebar(page: Page, width: number): Promise<void> {
  const box = await page.locator('.part.sidebar').boundingBox();
  assert.ok(box, 'the side bar is shown');
  const y = box.y + box.height / 2;
  await page.mouse.move(box.x + box.width - 1, y);
  await page.mouse.down();
  await page.mouse.move(box.x + width, y, { steps: 5 });
  await page.mouse.up();
}

describe('MemCloud UI in the workbench (command palette, notification, sidebar)', () => {
  let world: TestWorld | undefined;

  before(async () => {
    await prepare();
    await ensureBuilt();
    // desk dials the extension's node on a known port (retrying until VS Code has started it).
    world = await createWorld({ port: await freePort(), deskConnects: true });
  }, { timeout: 20 * 60_000 });

  after(async () => {
    await world?.close();
  });

  test('Trust Device from the palette admits the waiting peer; the sidebar shows it', { timeout: 180_000 }, async () => {
    const workspace = join(world!.work, 'workspace');
    mkdirSync(workspace);
    const wb = await openWorkbench({ extensionDir: ROOT, env: world!.env, workspace, timeoutMs: 60_000 });
    try {
      const { page } = wb;
      await openActivity(page, 'MemCloud');
      const toast = await waitForNotification(page, 'wants to store up to', { timeoutMs: 60_000 });
      // The fingerprint first, then the name the device chose, delimited and bidi-isolated.
      assert.match(await toast.innerText(), /Device [0-9A-Z]{4}(-[0-9A-Z]{4}){3} \[\u2068desk\u2069\] wants to store up to/);
      for (const answer of ['Allow Once', 'Trust Always', 'Deny']) {
        await toast.getByRole('button', { name: answer }).waitFor({ state: 'visible', timeout: 15_000 });
      }
      await waitForTreeItem(page, 'desk', { timeoutMs: 30_000 });
      // The toast fades and slides in: shoot it once it has settled.
      await page.waitForFunction(
        `(() => {
          const el = document.querySelector('.notifications-toasts .notification-toast');
          return el !== null && getComputedStyle(el).opacity === '1' && el.getBoundingClientRect().bottom <= window.innerHeight;
        })()`,
        undefined,
        { timeout: 10_000 },
      );
      await screenshot(page, join(SHOTS, 'memcloud-consent.png'));

      await runCommand(page, 'MemCloud: Trust Device');
      const row = await quickPickRow(page, 'desk');
      assert.match(await row.innerText(), /Fingerprint [0-9A-Z]{4}(-[0-9A-Z]{4}){3}/, 'the full fingerprint is shown to compare');
      await screenshot(page, join(SHOTS, 'memcloud-trust-picker.png'));
      await row.click();

      // Admitted: desk is connected and trusted; the container's badge counts it.
      await page.locator('.part.sidebar .monaco-list-row', { hasText: 'we use' }).first().waitFor({ state: 'visible', timeout: 30_000 });
      await activityBarItem(page, 'MemCloud').locator('xpath=..').locator('.badge-content', { hasText: /^1$/ }).waitFor({ state: 'visible', timeout: 15_000 });
      await widenSidebar(page, 720);
      const trusted = page.locator('.part.sidebar .monaco-list-row', { hasText: 'connected' }).filter({ hasText: /[0-9A-Z]{4}(-[0-9A-Z]{4}){3}/ }).first();
      await trusted.click(); // expands the device: first and last seen, approval, allowance
      await waitForTreeItem(page, 'Approved');
      const peer = await waitForTreeItem(page, 'desk');
      assert.match(await peer.innerText(), /offers 4 GiB, we use 0 B/);
      // The session's measured latency reaches the row with the next poll of the peers (every 5 s).
      await page
        .locator('.part.sidebar .monaco-list-row', { hasText: /offers 4 GiB, we use 0 B · <\d+ ms/ })
        .first()
        .waitFor({ state: 'visible', timeout: 15_000 });
      await page.mouse.move(900, 450); // no hover tooltip over the sidebar
      const sidebar = join(SHOTS, 'memcloud-sidebar.png');
      await page.locator('.part.sidebar').screenshot({ path: sidebar });
      await screenshot(page, join(SHOTS, 'memcloud-workbench.png'));
      assertPng(sidebar, 5_000);
      assertPng(join(SHOTS, 'memcloud-workbench.png'), 20_000);
    } finally {
      await wb.close();
    }
  });
});
