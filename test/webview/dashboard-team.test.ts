// A device admitted by a team's certificate, on the dashboard in a real browser: the laptop
// administers team "Lab" (so it trusts it), a member node joins with the certificate the laptop
// issued and connects; it is trusted one by one nowhere, yet admitted without a prompt, and the
// peers table shows it with the tag "team Lab" (as text), not "untrusted". Real nodes, real
// Chromium, the host wired as the extension wires it (dashboard-browser.ts).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemCloud } from '../../engine/sdk';
import { cli, startNode, type RunningNode } from '../support/node-process';
import { openDashboard, type DashboardInBrowser } from './dashboard-browser';

const SCREENSHOTS = join(__dirname, '..', '..', '.e2e-cache', 'screenshots');

describe('dashboard in a real browser: a peer admitted by a team', () => {
  const root = mkdtempSync(join(tmpdir(), 'memcloud-dashboard-team-'));
  const nodes: RunningNode[] = [];
  let mc: MemCloud | undefined;
  let dash: DashboardInBrowser | undefined;
  let memberFingerprint = '';

  before(async () => {
    const homes = { laptop: join(root, 'laptop'), m1: join(root, 'm1') };
    const member = JSON.parse(cli(homes.m1, ['id', '--json'])) as { publicKey: string; fingerprint: string };
    memberFingerprint = member.fingerprint;
    cli(homes.laptop, ['team', 'create', 'Lab', '--device-name', 'laptop']);
    const teamKey = (JSON.parse(cli(homes.laptop, ['team', 'list', '--json'])) as { publicKey: string }[])[0]!.publicKey;
    cli(homes.m1, ['team', 'join', cli(homes.laptop, ['team', 'add', member.publicKey, '--name', 'm1']).trim()]);
    cli(homes.m1, ['trust', 'add', '--team', teamKey]);
    const laptop = await startNode('laptop', homes.laptop, ['--offer', '32mb']);
    nodes.push(laptop);
    mc = await MemCloud.connect({ home: homes.laptop });
    dash = await openDashboard(mc, join(root, 'chromium-profile'), root);
    nodes.push(await startNode('m1', homes.m1, ['--offer', '16mb', '--connect', `127.0.0.1:${laptop.port}`]));
  });

  after(async () => {
    await dash?.close();
    await mc?.close();
    await Promise.all(nodes.map((n) => n.stop()));
    rmSync(root, { recursive: true, force: true });
  });

  test('the member is connected, not trusted one by one, and tagged "team Lab"', async () => {
    const { page } = dash!;
    const row = page.locator('[data-section="peers"] tbody tr', { has: page.locator('[data-field="state"]', { hasText: 'connected' }) });
    await row.first().waitFor({ timeout: 60_000 });
    assert.equal(await row.count(), 1);
    const name = row.first().locator('[data-field="name"]');
    assert.equal(await name.locator('.tag').textContent(), 'team Lab');
    assert.equal(await name.textContent(), 'm1team Lab', 'the name, then the one tag: no "untrusted"');
    assert.equal(await row.first().locator('[data-field="fingerprint"]').getAttribute('title'), memberFingerprint);
    const peer = (await mc!.peers()).find((p) => p.fingerprint === memberFingerprint);
    assert.deepEqual([peer?.trusted, peer?.team], [false, 'Lab'], 'admitted by the certificate alone');
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOTS, 'dashboard-team.png'), fullPage: true });
    assert.deepEqual(dash!.consoleErrors, []);
  });
});
