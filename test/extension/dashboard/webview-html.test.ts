// The dashboard document and its CSP; suggested file names for restores.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { DataItem } from '../../../engine/api/types';
import { suggestedFileName } from '../../../extension/data/item-actions';
import { buildDashboardHtml, createNonce, dashboardCsp } from '../../../extension/dashboard/webview-html';
import { aDataItem } from '../../support/data-model';

const SOURCE = 'https://file+.vscode-resource.vscode-cdn.net';

describe('dashboard HTML', () => {
  test('the CSP allows only our nonce for scripts and the webview origin for styles and images', () => {
    const nonce = createNonce();
    assert.equal(dashboardCsp(SOURCE, nonce), `default-src 'none'; script-src 'nonce-${nonce}'; style-src ${SOURCE}; img-src ${SOURCE} data:`);
  });

  test('every load gets a fresh nonce', () => {
    const nonces = new Set(Array.from({ length: 50 }, createNonce));
    assert.equal(nonces.size, 50);
    for (const n of nonces) assert.match(n, /^[A-Za-z0-9+/]{24}$/);
  });

  test('the document carries the CSP, the stylesheet and the one nonce script', () => {
    const nonce = createNonce();
    const html = buildDashboardHtml({ cspSource: SOURCE, nonce, scriptUri: `${SOURCE}/x/dashboard.js`, styleUri: `${SOURCE}/x/dashboard.css?a=1&b="2"` });
    assert.ok(html.includes(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'nonce-${nonce}';`));
    assert.ok(html.includes(`<script nonce="${nonce}" src="${SOURCE}/x/dashboard.js"></script>`));
    assert.ok(html.includes(`href="${SOURCE}/x/dashboard.css?a=1&amp;b=&quot;2&quot;"`), 'attribute values are escaped');
    assert.equal(html.match(/<script/g)?.length, 1);
    assert.ok(!/style=|<style/.test(html), 'no inline styles');
    assert.ok(html.includes('<main id="app"></main>'));
  });

  test("code-server's source list ('self' and a host) is accepted as is", () => {
    const nonce = createNonce();
    const source = "'self' https://*.vscode-cdn.net";
    assert.equal(dashboardCsp(source, nonce), `default-src 'none'; script-src 'nonce-${nonce}'; style-src ${source}; img-src ${source} data:`);
  });

  test('a source or nonce that could break out of the policy is refused', () => {
    assert.throws(() => dashboardCsp("'self' 'unsafe-inline'", createNonce()), /invalid CSP source/);
    assert.throws(() => dashboardCsp('https://x  https://y', createNonce()), /invalid CSP source/);
    assert.throws(() => dashboardCsp('', createNonce()), /invalid CSP source/);
    assert.throws(() => dashboardCsp("https://x; script-src 'unsafe-inline'", createNonce()), /invalid CSP source/);
    assert.throws(() => dashboardCsp(SOURCE, "abc' 'unsafe-inline"), /invalid CSP nonce/);
    assert.throws(() => dashboardCsp(SOURCE, 'short'), /invalid CSP nonce/);
  });
});

describe('restore file names', () => {
  const item = (kind: DataItem['kind'], id: string, name: string): DataItem => aDataItem({ id, kind, name, size: 1, createdAt: 0, replicas: [] });

  test('base name of the item, made safe', () => {
    assert.equal(suggestedFileName(item('stream', 's1', '/home/me/data/model.bin')), 'model.bin');
    assert.equal(suggestedFileName(item('stream', 's1', 'C:\\Users\\me\\a.txt')), 'a.txt');
    assert.equal(suggestedFileName(item('key', 'user:1', 'user:1')), 'user_1');
    assert.equal(suggestedFileName(item('key', 'k', '..\u0000/../.hidden')), 'hidden');
    assert.equal(suggestedFileName(item('block', 'abcdef0123456789', 'block abcdef01')), 'block abcdef01');
    assert.equal(suggestedFileName(item('key', 'xyz', '/')), 'memcloud-key-xyz');
  });
});
