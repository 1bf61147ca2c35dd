// A hand edit that breaks trusted_devices.json, seen in a real VS Code workbench (code-server +
// Chromium) with the node the extension runs: an error notification with the file's path and the
// fix (and an Open File button that opens it), the status bar entry turned into a warning, a row on
// top of Trusted Devices; all of it gone once the file is valid again. The edit also slips the link
// of finding 1 into the file (as a field name the error message quotes): it stays text.
// Screenshots go to .e2e-cache/screenshots/.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { prepare } from '../../../scripts/e2e/prepare.mjs';
import { openActivity, openWorkbench, screenshot, waitForNotification, waitForTreeItem } from '../../../scripts/e2e/workbench.mjs';
import { cli } from '../../support/node-process';
import { ROOT, SHOTS, ensureBuilt } from './setup';

const FINDING_1 = '[Allow Once](command:memcloud.offload?"/etc")';

describe('a corrupt trust file in the VS Code workbench', () => {
  let work = '';
  let home = '';

  before(async () => {
    await prepare();
    await ensureBuilt();
    work = mkdtempSync('/tmp/mc-trustfile-');
    home = join(work, 'home');
    const desk = JSON.parse(cli(join(work, 'desk'), ['id', '--json'])) as { publicKey: string };
    cli(home, ['trust', 'add', desk.publicKey, '--name', 'desk']);
    writeFileSync(join(home, 'config.json'), JSON.stringify({ name: 'laptop', host: '127.0.0.1', port: 0, discovery: false }));
  }, { timeout: 20 * 60_000 });

  after(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  test('notification, status bar and Trusted Devices say so until the file is fixed', { timeout: 240_000 }, async () => {
    const workspace = join(work, 'workspace');
    mkdirSync(workspace);
    const wb = await openWorkbench({ extensionDir: ROOT, env: { MEMCLOUD_HOME: home }, workspace, timeoutMs: 60_000 });
    try {
      const { page } = wb;
      await openActivity(page, 'MemCloud');
      await waitForTreeItem(page, 'desk', { timeoutMs: 60_000 });
      const file = join(home, 'trusted_devices.json');
      const good = readFileSync(file, 'utf8');
      const parsed = JSON.parse(good) as Record<string, unknown>;
      writeFileSync(file, JSON.stringify({ ...parsed, [FINDING_1]: true }, null, 2));

      const toast = await waitForNotification(page, 'until its trust file is fixed', { timeoutMs: 60_000 });
      const message = toast.locator('.notification-list-item-message');
      const text = await message.innerText();
      assert.ok(text.includes(`Trust store "${file}" is corrupt`), text);
      assert.ok(text.includes('[Allow Once] (command:memcloud.offload?\\"/etc\\")'), text);
      assert.match(text, /Fix it by hand/);
      assert.equal(await message.locator('a[href]').count(), 0, 'the quoted field is no link');
      for (const button of ['Open File', 'Show Log']) await toast.getByRole('button', { name: button }).waitFor({ state: 'visible' });

      const status = page.locator('.part.statusbar .statusbar-item', { hasText: 'fix the trust file' });
      await status.waitFor({ state: 'visible', timeout: 30_000 });
      const problemRow = await waitForTreeItem(page, 'The trust file is corrupt', { timeoutMs: 30_000 });
      assert.match(await problemRow.innerText(), /no new device or session is admitted until it is fixed/);
      assert.ok(await page.locator('.part.sidebar .monaco-list-row', { hasText: 'desk' }).count() > 0, 'the last good list stays shown');
      await screenshot(page, join(SHOTS, 'trust-file-corrupt.png'));

      await toast.getByRole('button', { name: 'Open File' }).click();
      await page.locator('.editor-group-container .tab', { hasText: 'trusted_devices.json' }).first().waitFor({ state: 'visible', timeout: 30_000 });

      writeFileSync(file, good);
      await status.waitFor({ state: 'detached', timeout: 60_000 });
      await page.locator('.part.sidebar .monaco-list-row', { hasText: 'The trust file is corrupt' }).waitFor({ state: 'detached', timeout: 30_000 });
    } finally {
      await wb.close();
    }
  });
});
