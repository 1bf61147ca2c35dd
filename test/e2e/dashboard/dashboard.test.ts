// The dashboard panel inside a real VS Code (code-server 4.100.3 + headless Chromium): the
// extension's own node connects to a real peer; "MemCloud: Show Dashboard" opens the webview under
// VS Code's real CSP source and resource roots; live data and engine events reach it; a second run
// of the command reuses the panel; a hidden panel comes back (reloaded, with a fresh nonce).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FrameLocator, Page } from 'playwright-core';
import { MemCloud } from '../../../engine/sdk';
import { prepare } from '../../../scripts/e2e/prepare.mjs';
import { openWorkbench, runCommand, screenshot, type Workbench } from '../../../scripts/e2e/workbench.mjs';
import { cli, startNode, type RunningNode } from '../../support/node-process';
import { httpRequest } from '../../support/http-client';

const ROOT = join(__dirname, '..', '..', '..');
const SHOT = join(ROOT, '.e2e-cache', 'screenshots', 'dashboard-vscode.png');
const WAIT = 30_000;

/** The dashboard's document: VS Code nests it in two iframes. */
const dashboard = (page: Page): FrameLocator => page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');

describe('dashboard panel in a real VS Code', () => {
  // Short path: the nodes' control sockets live in their homes.
  const work = mkdtempSync('/tmp/mc-dash-');
  const laptopHome = join(work, 'h1');
  const deskHome = join(work, 'h2');
  const policyProblems: string[] = [];
  let desk: RunningNode;
  let wb: Workbench;
  let mc: MemCloud | undefined;
  let laptopFingerprint = '';

  before(async () => {
    await prepare();
    for (const f of ['extension.js', 'engine-worker.js', 'webview/dashboard.js', 'webview/dashboard.css']) {
      if (!existsSync(join(ROOT, 'dist', f))) throw new Error(`dist/${f} is missing: run \`npm run build\` first`);
    }
    const laptopId = JSON.parse(cli(laptopHome, ['id', '--json'])) as { publicKey: string; fingerprint: string };
    const deskId = JSON.parse(cli(deskHome, ['id', '--json'])) as { publicKey: string };
    laptopFingerprint = laptopId.fingerprint;
    cli(laptopHome, ['trust', 'add', deskId.publicKey, '--name', 'desk']);
    cli(deskHome, ['trust', 'add', laptopId.publicKey, '--name', 'laptop']);
    desk = await startNode('desk', deskHome, ['--offer', '64mb']);
    // The extension's node: loopback only, no discovery, and desk as a static peer.
    const config = {
      ...{ name: 'laptop', host: '127.0.0.1', port: 0, discovery: false, offer: '32mb', peers: [{ address: `127.0.0.1:${desk.port}`, publicKey: deskId.publicKey }] },
      buildCache: { enabled: false, deadlineMs: 5000 }, // generous: the test checks a hit rate on a busy machine
    };
    writeFileSync(join(laptopHome, 'config.json'), JSON.stringify(config));
    wb = await openWorkbench({ extensionDir: ROOT, env: { MEMCLOUD_HOME: laptopHome } });
    wb.page.on('console', (m) => {
      const text = m.text();
      // The gallery is pointed at a dead local port on purpose; its refusals are expected noise.
      if (/Content Security Policy|Refused to/i.test(text) && !text.includes('127.0.0.1:9/')) policyProblems.push(text);
    });
  });

  after(async () => {
    await mc?.close();
    await wb?.close();
    await desk?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  test('the command opens the dashboard with our node and the connected peer', async () => {
    await runCommand(wb.page, 'MemCloud: Show Dashboard');
    const page = dashboard(wb.page);
    await page.locator('[data-section="node"] [data-field="fingerprint"]', { hasText: laptopFingerprint }).waitFor({ timeout: WAIT });
    assert.equal(await page.locator('[data-section="node"] [data-field="name"]').textContent(), 'laptop');
    const peer = page.locator('[data-section="peers"] tbody tr', { hasText: 'desk' });
    await peer.locator('[data-field="state"]', { hasText: 'connected' }).waitFor({ timeout: WAIT });
    assert.equal(await peer.locator('[data-field="fingerprint"]').getAttribute('title'), desk.fingerprint);
  });

  test('data stored on the node appears through the engine event, with a capacity bar', async () => {
    mc = await MemCloud.connect({ home: laptopHome });
    await mc.set('from-sdk', new Uint8Array(700_000).fill(1));
    const page = dashboard(wb.page);
    const row = page.locator('[data-section="data"] tr[data-key="key:from-sdk"]');
    await row.waitFor({ timeout: WAIT });
    assert.equal(await row.locator('[data-field="size"]').textContent(), '684 KiB');
    const bar = page.locator('[data-section="capacity"] .bar-track').first();
    await page.locator('[data-section="capacity"] .bar-track[aria-valuetext="684 KiB of 64 MiB"]').waitFor({ timeout: WAIT });
    assert.ok(((await bar.locator('.bar-fill').boundingBox())?.width ?? 0) > 0);
    await screenshot(wb.page, SHOT);
  });

  test('the build cache: its hit rate in a dashboard tile and in the status bar', async () => {
    cli(laptopHome, ['cache', 'start']);
    const env = JSON.parse(cli(laptopHome, ['cache', 'env', '--shell', 'json'])) as { url: string; vars: Record<string, string> };
    const port = Number(new URL(env.url).port);
    const token = env.vars.TURBO_TOKEN!;
    assert.equal((await httpRequest(port, 'PUT', '/v1/cache/1001', { token, body: Buffer.from('nx output') })).status, 200);
    assert.equal((await httpRequest(port, 'GET', '/v1/cache/1001', { token })).status, 200);
    assert.equal((await httpRequest(port, 'GET', '/v1/cache/1002', { token })).status, 404);
    const tile = dashboard(wb.page).locator('[data-section="summary"] [data-metric="Build cache"]');
    await tile.locator('.metric-value', { hasText: '50% hits' }).waitFor({ timeout: WAIT });
    assert.match((await tile.locator('.metric-detail').textContent()) ?? '', /1 hit, 1 miss · 1 entry/);
    await wb.page.locator('.statusbar-item', { hasText: 'cache 50%' }).first().waitFor({ timeout: WAIT });
  });

  test('running the command again reveals the same panel', async () => {
    await runCommand(wb.page, 'MemCloud: Show Dashboard');
    assert.equal(await wb.page.locator('.tabs-container .tab', { hasText: 'MemCloud Dashboard' }).count(), 1);
  });

  test('hidden and shown again: reloaded with a fresh nonce, the full state comes back', async () => {
    // VS Code injects its own acquireVsCodeApi script first; ours is the bundle's.
    const nonceOf = () => dashboard(wb.page).locator('script[src$="/dashboard.js"]').evaluate((el) => (el as unknown as { nonce: string }).nonce);
    const before = await nonceOf();
    assert.ok(before.length >= 16);
    await runCommand(wb.page, 'File: New Untitled Text File');
    await wb.page.locator('.tabs-container .tab.active', { hasText: 'Untitled-1' }).waitFor({ timeout: WAIT });
    await wb.page.locator('.tabs-container .tab', { hasText: 'MemCloud Dashboard' }).click();
    const page = dashboard(wb.page);
    await page.locator('[data-section="data"] tr[data-key="key:from-sdk"]').waitFor({ timeout: WAIT });
    assert.equal(await page.locator('[data-section="node"] [data-field="name"]').textContent(), 'laptop');
    assert.notEqual(await nonceOf(), before);
  });

  test('no CSP violations in the workbench or the webview (and our CSP is enforced there)', async () => {
    assert.deepEqual(policyProblems, []);
    // A probe the dashboard's CSP must refuse (inline style): shows the policy is in force in the
    // webview and that its violations reach this listener, so the empty list above means something.
    await dashboard(wb.page)
      .locator('body')
      .evaluate((body) => {
        const b = body as unknown as { ownerDocument: { createElement(t: string): { setAttribute(k: string, v: string): void } }; appendChild(n: unknown): void };
        const probe = b.ownerDocument.createElement('div');
        probe.setAttribute('style', 'color: red');
        b.appendChild(probe);
      });
    const deadline = Date.now() + WAIT;
    while (Date.now() < deadline && policyProblems.length === 0) await wb.page.waitForTimeout(100);
    assert.equal(policyProblems.length, 1, policyProblems.join('\n'));
    // (Chromium's wording varies by version: "Refused to apply inline style ..." or "Applying inline style violates ...".)
    assert.match(policyProblems[0]!, /inline style.*Content Security Policy directive:? ["']style-src 'self' https:\/\/\*\.vscode-cdn\.net["']/);
  });
});
