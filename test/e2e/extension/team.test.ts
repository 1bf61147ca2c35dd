// Teams in a real VS Code workbench (code-server + Chromium) with the node the extension runs and a
// real member node process: the Trusted Devices view lists team Lab with its members (a hostile
// name stays text, the revoked one is marked), the Peers view says "team Lab" for the member the
// team admitted, "MemCloud: Revoke Team Member" (quick pick, confirmation) revokes it and its
// session ends, "MemCloud: Join Team..." refuses a bad, an expired and another device's
// certificate with a clear error and joins with one picked as a file once a modal confirmed leaving
// team Lab, and "MemCloud: Stop Trusting Team" removes the team. Screenshots go to .e2e-cache/screenshots/.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ed25519 } from '@noble/curves/ed25519.js';
import type { Page } from 'playwright-core';
import { openActivity, openWorkbench, runCommand, screenshot, waitForNotification, waitForTreeItem } from '../../../scripts/e2e/workbench.mjs';
import { cli, startNode, type RunningNode } from '../../support/node-process';
import { certificateText, issueCertificate } from '../../../engine/team/certificate';
import { parsePublicKey } from '../../../engine/identity/public-key';
import { ROOT, SHOTS, deviceId as keyOf, links, workbenchHomes, type WorkbenchHomes } from './setup';

/** Valid by the device-name rule, and still full of what notifications, pickers and markdown read. */
const HOSTILE = '*Allow* command:memcloud.offload?"/etc" https://e.example';

const sidebarRow = (page: Page, label: string, hasText?: string) =>
  page.locator('.part.sidebar .monaco-list-row', { has: page.locator('.label-name', { hasText: label }), ...(hasText ? { hasText } : {}) });

/**
 * Runs a palette command that opens a quick pick at once (the palette's widget then stays on
 * screen, so runCommand's wait for it to close would not end): F1, its title, Enter, then the
 * command's first entry.
 */
async function runPickCommand(page: Page, title: string, firstEntry: string): Promise<void> {
  const widget = page.locator('.quick-input-widget');
  const input = widget.locator('.quick-input-box input');
  await page.keyboard.press('F1');
  await input.waitFor({ state: 'visible', timeout: 30_000 });
  await input.fill(`>${title}`);
  await widget.locator('.monaco-list-row.focused .label-name', { hasText: title }).first().waitFor({ state: 'visible', timeout: 30_000 });
  await input.press('Enter');
  await widget.locator('.monaco-list-row .label-name', { hasText: firstEntry }).first().waitFor({ state: 'visible', timeout: 30_000 });
}

/** Types into the open quick input and accepts the entry whose label is exactly `label`. */
async function pickEntry(page: Page, filter: string, label: string): Promise<void> {
  const widget = page.locator('.quick-input-widget');
  const input = widget.locator('.quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: 30_000 });
  await input.fill(filter);
  const row = widget.locator('.monaco-list-row', { has: page.locator('.label-name', { hasText: label }) }).first();
  await row.waitFor({ state: 'visible', timeout: 30_000 });
  for (let i = 0; i < 10; i++) {
    const focused = (await widget.locator('.monaco-list-row.focused .label-name').first().innerText({ timeout: 2000 }).catch(() => '')).trim();
    if (focused === label) break;
    await input.press('ArrowDown');
  }
  await input.press('Enter');
}

describe('teams in the VS Code workbench', () => {
  let world: WorkbenchHomes<'m1' | 'gone' | 'hostile' | 'ops' | 'other'> | undefined;
  let member: RunningNode | undefined;
  let teamKey = '';

  before(async () => {
    world = await workbenchHomes('mc-team-e2e-', ['m1', 'gone', 'hostile', 'ops', 'other']);
    const { homes } = world;
    // The extension's device administers team Lab (so it is a member and trusts it).
    cli(homes.ext, ['team', 'create', 'Lab', '--device-name', 'laptop']);
    teamKey = (JSON.parse(cli(homes.ext, ['team', 'list', '--json'])) as { publicKey: string }[])[0]!.publicKey;
    const cert = cli(homes.ext, ['team', 'add', keyOf(homes.m1).publicKey, '--name', 'm1']).trim();
    cli(homes.m1, ['team', 'join', cert]);
    cli(homes.m1, ['trust', 'add', '--team', teamKey]);
    cli(homes.ext, ['team', 'add', keyOf(homes.hostile).publicKey, '--name', HOSTILE]);
    cli(homes.ext, ['team', 'add', keyOf(homes.gone).publicKey, '--name', 'gone']);
    cli(homes.ext, ['team', 'revoke', 'gone']);
    // Another team, Ops, whose administrator issues certificates for this device and for another one.
    cli(homes.ops, ['team', 'create', 'Ops', '--device-name', 'ops-admin']);
    keyOf(homes.other);
  }, { timeout: 20 * 60_000 });

  after(async () => {
    await member?.stop();
    world?.close();
  });

  test('Trusted Devices lists the team and its members; Peers says "team Lab"; Revoke Team Member, Join Team..., Stop Trusting Team', { timeout: 480_000 }, async () => {
    const { work, port, homes } = world!;
    const workspace = join(work, 'workspace');
    mkdirSync(workspace);
    const wb = await openWorkbench({ extensionDir: ROOT, env: { MEMCLOUD_HOME: homes.ext }, workspace, timeoutMs: 60_000 });
    try {
      const { page } = wb;
      await openActivity(page, 'MemCloud');

      // 1. The team row: roles and fingerprint; expanded, its members.
      const team = await waitForTreeItem(page, 'team Lab', { timeoutMs: 90_000 });
      assert.match(await team.innerText(), /admin, member, members admitted · [0-9A-Z]{4}(-[0-9A-Z]{4}){3}/);
      await team.click();
      const m1 = keyOf(homes.m1);
      const m1Row = sidebarRow(page, 'm1', 'expires').first();
      await m1Row.waitFor({ state: 'visible', timeout: 30_000 });
      assert.ok((await m1Row.innerText()).includes(m1.fingerprint), 'the member row shows its fingerprint');
      const hostileRow = await waitForTreeItem(page, HOSTILE, { timeoutMs: 30_000 });
      assert.equal((await hostileRow.locator('.label-name').first().innerText()).trim(), HOSTILE, 'the name is shown as the exact text');
      assert.match(await sidebarRow(page, 'gone').first().innerText(), /REVOKED/);
      assert.deepEqual(await links(page.locator('.part.sidebar .monaco-list-row')), [], 'no link in any row of the MemCloud views');

      // 2. A member connects: the team admits it, and the Peers view says so.
      member = await startNode('m1', homes.m1, ['--connect', `127.0.0.1:${port}`]);
      await sidebarRow(page, 'm1', 'team Lab').first().waitFor({ state: 'visible', timeout: 90_000 });
      await screenshot(page, join(SHOTS, 'team-trusted-devices.png'));

      // 3. Revoke Team Member: a quick pick of members, a confirmation, then the list spreads.
      await runCommand(page, 'MemCloud: Revoke Team Member');
      await pickEntry(page, 'm1', 'm1');
      const dialog = page.locator('.monaco-dialog-box');
      await dialog.waitFor({ state: 'visible', timeout: 30_000 });
      assert.match(await dialog.locator('.dialog-message-text').innerText(), /^Revoke \[.?m1.?\] from team \[.?Lab.?\]\?$/u);
      assert.ok((await dialog.locator('.dialog-message-detail').innerText()).includes(m1.fingerprint));
      await dialog.getByRole('button', { name: 'Revoke' }).click();
      await waitForNotification(page, 'Revoked', { timeoutMs: 30_000 });
      await sidebarRow(page, 'm1', 'REVOKED').first().waitFor({ state: 'visible', timeout: 30_000 });
      await sidebarRow(page, 'm1', 'team Lab').first().waitFor({ state: 'detached', timeout: 60_000 });
      await member.stop(); // its redials would now ask for consent
      const list = JSON.parse(readFileSync(join(homes.ext, 'team.json'), 'utf8')) as { revocations: string[] };
      assert.equal(list.revocations.length, 1, 'team.json holds the new list');

      // 4. Join Team...: a bad, another device's and an expired certificate are refused plainly.
      const ext = keyOf(homes.ext);
      const joinPasting = async (text: string) => {
        await runPickCommand(page, 'MemCloud: Join Team...', 'Paste a certificate');
        await pickEntry(page, '', 'Paste a certificate');
        const input = page.locator('.quick-input-widget .quick-input-box input');
        await input.fill('not a certificate');
        await page.locator('.quick-input-widget .quick-input-message', { hasText: 'A team certificate starts with mcteam1.' }).waitFor({ state: 'visible', timeout: 30_000 });
        await input.fill(text);
        await input.press('Enter');
      };
      const otherCert = cli(homes.ops, ['team', 'add', keyOf(homes.other).publicKey, '--name', 'other']).trim();
      await joinPasting(otherCert);
      const wrong = await waitForNotification(page, 'Could not join the team', { timeoutMs: 30_000 });
      assert.match(await wrong.innerText(), /This certificate is for another device/);
      await wrong.locator('.codicon-notifications-clear').click().catch(() => undefined);
      const secret = ed25519.utils.randomSecretKey();
      const expired = certificateText(
        issueCertificate(
          { teamKey: ed25519.getPublicKey(secret), deviceKey: parsePublicKey(ext.publicKey), serial: 1, expiresAt: Math.floor(Date.now() / 1000) - 60, teamName: 'Old', deviceName: 'laptop' },
          secret,
        ),
      );
      await joinPasting(expired);
      const old = await waitForNotification(page, 'This certificate expired', { timeoutMs: 30_000 });
      assert.match(await old.innerText(), /Could not join the team: This certificate expired .*ask the team administrator for a new one/);
      await old.locator('.codicon-notifications-clear').click().catch(() => undefined);

      // A valid certificate, picked as a file.
      const certFile = join(work, 'ops.cert');
      writeFileSync(certFile, cli(homes.ops, ['team', 'add', ext.publicKey, '--name', 'laptop']));
      await runPickCommand(page, 'MemCloud: Join Team...', 'Choose a certificate file...');
      await pickEntry(page, '', 'Choose a certificate file...');
      const pathInput = page.locator('.quick-input-widget .quick-input-box input');
      await pathInput.waitFor({ state: 'visible', timeout: 30_000 });
      // The dialog first shows its default folder, read asynchronously: on a loaded machine that
      // can land after our typing and replace it. Wait for the default to be shown, type the path,
      // and type it again should the dialog have reset it before the file is listed.
      await page.locator('.quick-input-widget .monaco-list-row').first().waitFor({ state: 'visible', timeout: 30_000 });
      const fileRow = page.locator('.quick-input-widget .monaco-list-row', { hasText: 'ops.cert' }).first();
      for (let attempt = 0; ; attempt++) {
        await pathInput.fill(certFile);
        // The dialog lists the folder once it has read it; accept then, with its own button.
        const listed = await fileRow.waitFor({ state: 'visible', timeout: 15_000 }).then(() => true, () => false);
        if (listed && (await pathInput.inputValue()) === certFile) break;
        assert.ok(attempt < 3, `the file dialog kept replacing the typed path (shows ${await pathInput.inputValue()})`);
      }
      await page.locator('.quick-input-widget .monaco-button', { hasText: 'Join Team' }).first().click();
      // Joining Ops ends this device's membership of Lab: a modal asks first, naming both teams.
      const leave = page.locator('.monaco-dialog-box');
      await leave.waitFor({ state: 'visible', timeout: 30_000 });
      assert.match(await leave.locator('.dialog-message-text').innerText(), /^Leave team \[.?Lab.?\] to join team \[.?Ops.?\]\?$/u);
      assert.match(await leave.locator('.dialog-message-detail').innerText(), /carries one team certificate/);
      await leave.getByRole('button', { name: 'Leave and Join' }).click();
      const joined = await waitForNotification(page, 'now a member of team', { timeoutMs: 60_000 });
      assert.match(await joined.innerText(), /This device is now a member of team \[.?Ops.?\] as \[.?laptop.?\], until \d{4}-\d\d-\d\d\. It replaces its certificate of team \[.?Lab.?\]/u);
      const ops = await waitForTreeItem(page, 'team Ops', { timeoutMs: 30_000 });
      assert.match(await ops.innerText(), /member ·/);
      assert.match(readFileSync(join(homes.ext, 'team.json'), 'utf8'), /"certificate": "mcteam1\./);

      // 5. Stop Trusting Team: Lab's members are no longer admitted here by their certificates.
      await runCommand(page, 'MemCloud: Stop Trusting Team');
      await pickEntry(page, 'Lab', 'team Lab');
      const confirm = page.locator('.monaco-dialog-box');
      await confirm.waitFor({ state: 'visible', timeout: 30_000 });
      await confirm.getByRole('button', { name: 'Stop Trusting' }).click();
      await sidebarRow(page, 'team Lab', 'admin ·').first().waitFor({ state: 'visible', timeout: 30_000 });
      assert.doesNotMatch(await sidebarRow(page, 'team Lab').first().innerText(), /members admitted/);
      const file = JSON.parse(readFileSync(join(homes.ext, 'team.json'), 'utf8')) as { trusted: unknown[] };
      assert.deepEqual(file.trusted, []);
      await screenshot(page, join(SHOTS, 'team-after-commands.png'));
    } catch (err) {
      await screenshot(wb.page, join(SHOTS, 'team-failure.png')).catch(() => undefined);
      throw err;
    } finally {
      await wb.close();
    }
  });
});
