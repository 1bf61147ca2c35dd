// The dashboard's HTML document and its Content Security Policy: nothing loads but our own
// bundle (from dist/webview via the webview's resource origin) and the one script carrying this
// load's nonce. No vscode import, so the browser test serves exactly this document.

import { randomBytes } from 'node:crypto';

export interface DashboardHtmlOptions {
  /** webview.cspSource: the origin the webview serves local resources from. */
  readonly cspSource: string;
  /** A fresh createNonce() for every load. */
  readonly nonce: string;
  readonly scriptUri: string;
  readonly styleUri: string;
}

/** 144 random bits, base64: a valid CSP nonce-source. */
export function createNonce(): string {
  return randomBytes(18).toString('base64');
}

const NONCE = /^[A-Za-z0-9+/_-]{16,}={0,2}$/;
// cspSource is VS Code's: one or more source expressions, e.g. `https://*.vscode-cdn.net` in the
// desktop app and `'self' https://*.vscode-cdn.net` in code-server. Each must be a host source or
// 'self': nothing that could end the directive or widen it ('unsafe-inline', a nonce).
const SOURCE_LIST = /^(?:'self'|[^\s;,'"<>]+)(?: (?:'self'|[^\s;,'"<>]+))*$/;

export function dashboardCsp(cspSource: string, nonce: string): string {
  if (!SOURCE_LIST.test(cspSource)) throw new Error(`invalid CSP source ${JSON.stringify(cspSource)}`);
  if (!NONCE.test(nonce)) throw new Error('invalid CSP nonce');
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource}`,
    `img-src ${cspSource} data:`,
  ].join('; ');
}

export function buildDashboardHtml(o: DashboardHtmlOptions): string {
  const csp = dashboardCsp(o.cspSource, o.nonce);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${attr(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${attr(o.styleUri)}">
<title>MemCloud Dashboard</title>
</head>
<body>
<main id="app"></main>
<script nonce="${attr(o.nonce)}" src="${attr(o.scriptUri)}"></script>
</body>
</html>
`;
}

function attr(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
