// Finding 1 in a real VS Code workbench (code-server + Chromium), against hostile devices that run
// the real handshake as their own processes (test/support/hostile-peer.ts):
//  - the exact name of the finding, `[Allow Once](command:memcloud.offload?"/etc")`, is refused at
//    the handshake: no notification, no row, nothing to click;
//  - a name that passes the rule but carries everything else these places could interpret
//    (markdown, a URL, `command:` text) is shown as text in the consent toast, the Trust Device
//    picker and the Peers tree: no link, no anchor, no icon; clicking it runs nothing;
//  - a name that looks like a trusted device's raises the modal impostor warning, fingerprints first;
//  - a trusted device's error text carrying the exact link is shown as text in the error toast, and
//    clicking where the link would be runs no command.
// Screenshots go to .e2e-cache/screenshots/.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { chooseContextMenuItem, openActivity, openWorkbench, runCommand, screenshot, waitForNotification, waitForTreeItem } from '../../../scripts/e2e/workbench.mjs';
import { cli } from '../../support/node-process';
import { startHostilePeer, type HostilePeerProcess } from '../../support/hostile-peer-process';
import { ROOT, SHOTS, deviceId as keyOf, links, workbenchHomes, type WorkbenchHomes } from './setup';

const FINDING_1 = '[Allow Once](command:memcloud.offload?"/etc")';
/** Valid by the device-name rule, and still full of what notifications, pickers and markdown read. */
const TRICKY = '*Allow* command:memcloud.offload?"/etc" https://e.example';
const LOOKALIKE = 'd\u0435sk'; // Cyrillic е: "desk" is trusted
const FSI = '\u2068';
const PDI = '\u2069';

describe('hostile device names and peer text in the VS Code workbench', () => {
  let world: WorkbenchHomes<'desk' | 'refused' | 'tricky' | 'lookalike' | 'holder'> | undefined;
  const hostiles: HostilePeerProcess[] = [];
  let desk: { publicKey: string; fingerprint: string };

  before(async () => {
    world = await workbenchHomes('mc-hostile-', ['desk', 'refused', 'tricky', 'lookalike', 'holder']);
    const { homes } = world;
    desk = keyOf(homes.desk);
    cli(homes.ext, ['trust', 'add', desk.publicKey, '--name', 'desk']);
    cli(homes.ext, ['trust', 'add', keyOf(homes.holder).publicKey, '--name', 'holder']);
    for (const h of [homes.refused, homes.tricky, homes.lookalike]) keyOf(h);
  }, { timeout: 20 * 60_000 });

  after(async () => {
    await Promise.all(hostiles.map((h) => h.stop()));
    world?.close();
  });

  const hostile = (home: string, name: string, errorText?: string) => {
    const h = startHostilePeer({ port: world!.port, home, name, ...(errorText ? { errorText } : {}) });
    hostiles.push(h);
    return h;
  };

  test('every hostile text stays inert text: toast, picker, tree, impostor dialog, error toast', { timeout: 300_000 }, async () => {
    const { work, homes } = world!;
    const workspace = join(work, 'workspace');
    mkdirSync(workspace);
    writeFileSync(join(workspace, 'notes.txt'), 'some notes to offload');
    const wb = await openWorkbench({ extensionDir: ROOT, env: { MEMCLOUD_HOME: homes.ext }, workspace, timeoutMs: 60_000 });
    try {
      const { page } = wb;
      await openActivity(page, 'MemCloud');
      const toasts = page.locator('.notifications-toasts');

      // 1. The name of finding 1 never gets past the handshake.
      assert.equal(await hostile(homes.refused, FINDING_1).outcome(['refused', 'admitted'], 90_000), 'refused');
      assert.equal(await toasts.locator('.notification-toast', { hasText: 'Allow Once' }).count(), 0, 'no toast for a refused name');
      assert.equal(await page.locator('.part.sidebar .monaco-list-row', { hasText: 'Allow Once' }).count(), 0, 'no row either');

      // 2. A name that passes the rule: text in the consent toast, fingerprint first, delimited.
      const tricky = hostile(homes.tricky, TRICKY);
      const trickyFp = keyOf(homes.tricky).fingerprint;
      const toast = await waitForNotification(page, 'wants to store up to', { timeoutMs: 60_000 });
      const message = toast.locator('.notification-list-item-message');
      assert.equal(
        (await message.innerText()).split(' wants to store')[0],
        `Device ${trickyFp} [${FSI}${TRICKY}${PDI}]`,
        'the fingerprint first, then the name exactly as sent',
      );
      assert.deepEqual(await links(message), [], 'no link in the consent message');
      await page.waitForFunction(
        `(() => { const el = document.querySelector('.notifications-toasts .notification-toast'); return el !== null && getComputedStyle(el).opacity === '1'; })()`,
        undefined,
        { timeout: 10_000 },
      );
      await screenshot(page, join(SHOTS, 'hostile-consent-toast.png'));
      // Where a link would be, a click does nothing: memcloud.offload of /etc would show "Offloading etc".
      await message.getByText('command:memcloud.offload', { exact: false }).click();

      // The Trust Device picker: the name is the label, as text, with our icon only.
      await runCommand(page, 'MemCloud: Trust Device');
      const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: 'command:memcloud.offload' }).first();
      await row.waitFor({ state: 'visible', timeout: 30_000 });
      assert.equal((await row.locator('.label-name').first().innerText()).trim(), TRICKY);
      assert.equal(await row.locator('.label-name .codicon').count(), 1, 'one icon, ours; none made from the name');
      assert.match(await row.innerText(), new RegExp(`Fingerprint ${trickyFp}`));
      assert.deepEqual(await links(page.locator('.quick-input-widget')), []);
      await screenshot(page, join(SHOTS, 'hostile-trust-picker.png'));
      await page.keyboard.press('Escape');

      // The Peers tree: the row's label is the name, as text.
      const treeRow = await waitForTreeItem(page, TRICKY, { timeoutMs: 30_000 });
      assert.deepEqual(await links(treeRow), []);
      assert.deepEqual(await links(page.locator('.part.sidebar')), [], 'no link anywhere in the MemCloud views');
      await toast.getByRole('button', { name: 'Deny' }).click();
      assert.equal(await tricky.outcome(['refused', 'admitted'], 60_000), 'refused');

      // 3. A look-alike of the trusted "desk": a modal warning, both fingerprints before the name.
      const impostor = hostile(homes.lookalike, LOOKALIKE);
      const dialog = page.locator('.monaco-dialog-box');
      await dialog.waitFor({ state: 'visible', timeout: 60_000 });
      assert.match(await dialog.locator('.dialog-message-text').innerText(), /^WARNING: possible impostor/);
      const detail = await dialog.locator('.dialog-message-detail').innerText();
      const impostorFp = keyOf(homes.lookalike).fingerprint;
      assert.ok(detail.startsWith(`This is device ${impostorFp} [${FSI}${LOOKALIKE}${PDI}].`), detail);
      assert.ok(detail.includes(`has fingerprint ${desk.fingerprint}, a different key`), detail);
      assert.deepEqual(await links(dialog), []);
      await screenshot(page, join(SHOTS, 'hostile-impostor-dialog.png'));
      await dialog.getByRole('button', { name: 'Deny' }).click();
      assert.equal(await impostor.outcome(['refused', 'admitted'], 60_000), 'refused');

      // 4. A trusted device answers our offload with the link of finding 1 as its error text.
      const holder = hostile(homes.holder, 'holder', FINDING_1);
      assert.equal(await holder.outcome(['admitted', 'refused'], 60_000), 'admitted');
      await waitForTreeItem(page, 'holder', { timeoutMs: 30_000 });
      await openActivity(page, 'Explorer');
      // The activity bar's hover ("Explorer (Ctrl+Shift+E)") would sit over the tree: move away first.
      await page.mouse.move(700, 450);
      await page.locator('.context-view .hover-contents').waitFor({ state: 'detached', timeout: 15_000 });
      await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'notes.txt' }).first().click({ button: 'right' });
      await chooseContextMenuItem(page, 'Offload File or Folder...');
      // The offload's own progress comes first; on a loaded machine the failure can take a while.
      const failed = await waitForNotification(page, 'Could not offload', { timeoutMs: 120_000 });
      const failedMessage = failed.locator('.notification-list-item-message');
      assert.match(await failedMessage.innerText(), /holder \([0-9A-Z-]+\): \[Allow Once\] \(command:memcloud\.offload\?"\/etc"\)/);
      assert.deepEqual(await links(failedMessage), [], 'the error text is no link');
      await screenshot(page, join(SHOTS, 'hostile-error-toast.png'));
      await failedMessage.getByText('Allow Once', { exact: false }).click();

      // Nothing ran from either click: a command would have shown its progress before this palette
      // command, which runs after both clicks, has opened the log.
      await runCommand(page, 'MemCloud: Show Log');
      await page.locator('.part.panel').waitFor({ state: 'visible', timeout: 30_000 });
      assert.equal(await toasts.locator('.notification-toast', { hasText: 'Offloading etc' }).count(), 0);
      assert.deepEqual(await links(toasts), [], 'no link in any notification');
    } catch (err) {
      await screenshot(wb.page, join(SHOTS, 'hostile-failure.png')).catch(() => undefined);
      throw err;
    } finally {
      await wb.close();
    }
  });
});
