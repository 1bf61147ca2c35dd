// The dashboard in a real headless Chromium (Debian's, driven by playwright-core), showing live
// data: two real MemCloud nodes trust each other and connect; the page's host side is the real
// DashboardHost showing the extension's NodeModel, which reads the laptop node through the SDK. The page is served under the CSP the
// extension sets; console errors and CSP violations fail the test.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { MemCloud } from '../../engine/sdk';
import { chargeOf } from '../../engine/store/block-cost';
import { sealedSize } from '../../engine/data/stored-size';
import { formatSize } from '../../engine/store/sizes';
import { cli, startNode, type RunningNode } from '../support/node-process';
import { WAIT, openDashboard, type DashboardInBrowser } from './dashboard-browser';

const SCREENSHOTS = join(__dirname, '..', '..', '.e2e-cache', 'screenshots');
const HOSTILE = '<img src=x onerror=alert(1)>';
/**
 * What a peer can really call itself (the device-name rule refuses brackets): markup-looking text,
 * an HTML entity that innerHTML would decode into `<`, markdown and a URL.
 */
const WIRE_NAME = '&lt;img src=x onerror=alert`1`&gt; **x** https://evil.example';

/** Bytes from a label such as '1.5 MiB/s'. */
function bytesOf(label: string): number {
  const m = /^([\d.]+) (B|KiB|MiB|GiB)/.exec(label);
  if (m === null) throw new Error(`not a size: ${label}`);
  return Number(m[1]) * 1024 ** ['B', 'KiB', 'MiB', 'GiB'].indexOf(m[2]!);
}

describe('dashboard in a real browser with live nodes', () => {
  const root = mkdtempSync(join(tmpdir(), 'memcloud-dashboard-'));
  const nodes: RunningNode[] = [];
  const clients: MemCloud[] = [];
  let laptop: RunningNode;
  let desk: RunningNode;
  let mc: MemCloud;
  let deskClient: MemCloud;
  let dash: DashboardInBrowser | undefined;
  let page: Page;

  before(async () => {
    const homes = { laptop: join(root, 'laptop'), desk: join(root, 'desk') };
    const ids = {
      laptop: JSON.parse(cli(homes.laptop, ['id', '--json'])) as { publicKey: string },
      desk: JSON.parse(cli(homes.desk, ['id', '--json'])) as { publicKey: string },
    };
    cli(homes.laptop, ['trust', 'add', ids.desk.publicKey, '--name', 'desk']);
    cli(homes.desk, ['trust', 'add', ids.laptop.publicKey, '--name', 'laptop']);
    // The desk calls itself by a hostile name: it reaches the laptop over the wire (as replica holder names).
    desk = await startNode(WIRE_NAME, homes.desk, ['--offer', '64mb']);
    nodes.push(desk);
    laptop = await startNode('laptop', homes.laptop, ['--offer', '32mb', '--connect', `127.0.0.1:${desk.port}`]);
    nodes.push(laptop);
    await laptop.waitFor(/session established/);
    mc = await MemCloud.connect({ home: homes.laptop });
    deskClient = await MemCloud.connect({ home: homes.desk });
    clients.push(mc, deskClient);
    await mc.set('user:1', new Uint8Array(300_000).fill(7)); // placed on the desk
    await deskClient.set('desk:cache', new Uint8Array(500_000).fill(9)); // the desk stores here

    dash = await openDashboard(mc, join(root, 'chromium-profile'), root);
    page = dash.page;
  });

  after(async () => {
    await dash?.close();
    await Promise.all(clients.map((c) => c.close()));
    await Promise.all(nodes.map((n) => n.stop()));
    rmSync(root, { recursive: true, force: true });
  });

  const peers = () => page.locator('[data-section="peers"] tbody tr');
  const deliver = (m: unknown) => dash!.deliver(m);
  const dataRow = (key: string) => page.locator(`[data-section="data"] tr[data-key="${key}"]`);

  test('the page runs under the CSP the extension sets', async () => {
    assert.match(dash!.server.csp(), /^default-src 'none'; script-src 'nonce-[^']+'; style-src http:\/\/127\.0\.0\.1:\d+; img-src http:\/\/127\.0\.0\.1:\d+ data:$/);
    await page.locator('h1', { hasText: 'MemCloud' }).waitFor();
    // The stylesheet applied (it only loads from the webview origin): the bar track has its height.
    await page.locator('[data-section="capacity"] .bar-track').first().waitFor();
    assert.equal((await page.locator('[data-section="capacity"] .bar-track').first().boundingBox())?.height, 8);
  });

  test('peers: the trusted name, short and full fingerprint, state and address', async () => {
    await peers().first().locator('[data-field="state"]', { hasText: 'connected' }).waitFor();
    assert.equal(await peers().count(), 1);
    const row = peers().first();
    assert.equal(await row.locator('[data-field="name"]').textContent(), 'desk');
    assert.equal(await row.locator('[data-field="fingerprint"]').textContent(), desk.fingerprint.slice(0, 9));
    assert.equal(await row.locator('[data-field="fingerprint"]').getAttribute('title'), desk.fingerprint);
    assert.equal(await row.locator('[data-field="address"]').textContent(), `127.0.0.1:${desk.port}`);
  });

  test('this node: name, fingerprint, offer', async () => {
    const node = page.locator('[data-section="node"]');
    assert.equal(await node.locator('[data-field="name"]').textContent(), 'laptop');
    assert.equal(await node.locator('[data-field="fingerprint"]').textContent(), laptop.fingerprint);
    assert.equal(await node.locator('[data-field="offer"]').textContent(), '32 MiB');
  });

  test('capacity: non-zero bars for what we use on the desk and what it stores here', async () => {
    const row = page.locator('[data-section="capacity"] .capacity-row');
    assert.equal(await row.count(), 1);
    assert.match((await row.textContent()) ?? '', /offers 64 MiB/);
    const tracks = row.locator('.bar-track');
    assert.equal(await tracks.count(), 2);
    assert.deepEqual(
      [await tracks.nth(0).getAttribute('aria-valuetext'), await tracks.nth(1).getAttribute('aria-valuetext')],
      // both sides count a block the same way: its sealed bytes plus the lender's fixed per-block charge
      [`${formatSize(chargeOf(sealedSize(300_000)))} of 64 MiB`, `${formatSize(chargeOf(sealedSize(500_000)))} of 32 MiB`],
    );
    for (let i = 0; i < 2; i++) {
      assert.ok(Number(await tracks.nth(i).getAttribute('aria-valuenow')) > 0);
      assert.ok(((await tracks.nth(i).locator('.bar-fill').boundingBox())?.width ?? 0) > 0, `bar ${i} is drawn`);
    }
  });

  test('data: the stored key with size and replicas; the hostile holder name is plain text', async () => {
    const row = dataRow('key:user:1');
    await row.waitFor();
    assert.equal(await row.locator('[data-field="name"]').textContent(), 'user:1');
    assert.equal(await row.locator('[data-field="size"]').textContent(), '293 KiB');
    assert.equal(await row.locator('[data-field="replicas"]').textContent(), '1');
    assert.equal(await row.locator('[data-field="holders"]').textContent(), WIRE_NAME);
    assert.equal(await row.locator('[data-field="holders"] a').count(), 0, 'no link was made from the URL');
    assert.equal(await page.locator('img').count(), 0, 'no element was made from the name');
    assert.deepEqual(dash!.dialogs, []);
  });

  test('throughput updates after more data is stored; the new block appears by itself', async () => {
    const sent = page.locator('[data-field="sent"]');
    const before = bytesOf((await sent.textContent()) ?? '');
    const samples = Number(await page.locator('svg.chart').getAttribute('data-samples'));
    const block = randomBytes(6 * 1024 * 1024);
    const ref = await mc.store(block);
    await dataRow(`block:${ref.id}`).waitFor(); // pushed by the data-changed event
    const deadline = Date.now() + WAIT;
    let now = before;
    while (Date.now() < deadline && !(now > before + 512 * 1024)) {
      await page.waitForTimeout(250);
      now = bytesOf((await sent.textContent()) ?? '');
    }
    assert.ok(now > before + 512 * 1024, `sent rate rose from ${before} to ${now} B/s`);
    assert.ok(Number(await page.locator('svg.chart').getAttribute('data-samples')) > samples, 'the history grew');
    assert.match((await dataRow(`block:${ref.id}`).locator('[data-field="size"]').textContent()) ?? '', /^6 MiB$/);

    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOTS, 'dashboard.png'), fullPage: true });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: join(SCREENSHOTS, 'dashboard-dark.png'), fullPage: true });
    await page.emulateMedia({ colorScheme: 'light' });

    // Restore through the row button: the host loads the block and writes the file.
    await dataRow(`block:${ref.id}`).getByRole('button', { name: 'Restore…' }).click();
    await page.locator('.status-line', { hasText: `Restored block ${ref.id.slice(0, 8)}` }).waitFor();
    assert.ok(Buffer.from(readFileSync(join(root, 'restored-block'))).equals(block), 'restored bytes match');
  });

  test('Free asks the host, which frees the key everywhere; the row goes away', async () => {
    await dataRow('key:user:1').getByRole('button', { name: 'Free' }).click();
    await page.locator('.status-line', { hasText: 'Freed user:1.' }).waitFor();
    await dataRow('key:user:1').waitFor({ state: 'detached' });
    assert.deepEqual(await mc.keys(), []);
  });

  test('a malformed host message is dropped with a warning; a hostile peer name renders as text', async () => {
    dash!.host.dispose(); // from here on the test speaks for the host
    await deliver({ type: 'eval', code: 'alert(1)' });
    assert.ok(dash!.consoleWarnings.some((w) => w.includes('dropped a malformed message (message.type: expected one of state, stats, reply)')), dash!.consoleWarnings.join('\n'));
    const [status, stats, peerList, data] = await Promise.all([mc.status(), mc.stats(), mc.peers(), mc.listData()]);
    const hostile = peerList.map((p) => ({ ...p, name: HOSTILE }));
    await deliver({ type: 'state', state: { attached: true, status, stats, peers: hostile, data, history: [], error: null } });
    await peers().first().locator('[data-field="name"]', { hasText: HOSTILE }).waitFor();
    assert.equal(await peers().first().locator('[data-field="name"]').textContent(), HOSTILE);
    assert.equal(await page.locator('img').count(), 0);
    assert.deepEqual(dash!.dialogs, []);
  });

  test('a trust file that cannot be used is a banner, its text shown as text', async () => {
    const [status, stats, peerList, data] = await Promise.all([mc.status(), mc.stats(), mc.peers(), mc.listData()]);
    const message = `Trust store "/h/trusted_devices.json" is corrupt: it has an unexpected field "${HOSTILE} [Allow Once](command:memcloud.offload)". Fix it by hand.`;
    const trustFileProblem = { code: 'TRUST_STORE_CORRUPT' as const, path: '/h/trusted_devices.json', message, since: Date.now() };
    await deliver({ type: 'state', state: { attached: true, status: { ...status, trustFileProblem }, stats, peers: peerList, data, history: [], error: null } });
    const banner = page.locator('[data-section="banner"] .banner-error');
    await banner.waitFor();
    assert.equal(await banner.textContent(), `No new device or session is admitted until the trust file is fixed (live sessions go on). ${message}`);
    assert.equal(await banner.getAttribute('role'), 'alert');
    assert.equal(await page.locator('img').count(), 0);
    assert.equal(await page.locator('[data-section="banner"] a').count(), 0);
    await deliver({ type: 'state', state: { attached: true, status, stats, peers: peerList, data, history: [], error: null } });
    await banner.waitFor({ state: 'detached' });
  });

  test('empty states instead of blank areas', async () => {
    const [status, stats] = await Promise.all([mc.status(), mc.stats()]);
    await deliver({ type: 'state', state: { attached: true, status, stats, peers: [], data: [], history: [], error: null } });
    await page.locator('[data-section="peers"] .empty', { hasText: 'No peers yet: run “MemCloud: Trust Device”' }).waitFor();
    for (const section of ['capacity', 'data', 'throughput']) {
      assert.ok(((await page.locator(`[data-section="${section}"] .empty`).textContent()) ?? '').length > 20, section);
    }
    await page.screenshot({ path: join(SCREENSHOTS, 'dashboard-empty.png'), fullPage: true });
    await deliver({ type: 'state', state: { attached: false, status: null, stats: null, peers: [], data: [], history: [], error: null } });
    await page.locator('[data-section="banner"]', { hasText: 'No MemCloud node is attached' }).waitFor();
  });

  test('no console errors, no CSP violations, no missing resources', async () => {
    assert.deepEqual(dash!.consoleErrors, []);
    assert.deepEqual(dash!.server.missing, []);
    const violations = () => page.evaluate(() => (globalThis as unknown as { __cspViolations: string[] }).__cspViolations);
    assert.deepEqual(await violations(), []);
    // The probe the policy must refuse (an inline style): proves the CSP is in force and watched.
    await page.locator('body').evaluate((body) => (body as unknown as { setAttribute(k: string, v: string): void }).setAttribute('style', 'color: red'));
    await page.waitForFunction('globalThis.__cspViolations.length > 0');
    // Reported once per policy: the header's and the document's <meta> (the one VS Code sees).
    assert.deepEqual(await violations(), ['style-src-attr inline', 'style-src-attr inline']);
  });
});
