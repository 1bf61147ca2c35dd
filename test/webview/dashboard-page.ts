// Serves the dashboard to a real browser as VS Code would: the document from buildDashboardHtml,
// under the same CSP (as a header too), the bundle from dist/webview, plus a shim standing in for
// VS Code's acquireVsCodeApi(). The shim's postMessage calls window.__hostRequest (a Playwright
// binding into the test process); the test delivers host messages with window.__deliver(message),
// as the `message` events VS Code dispatches.

import { createServer, type Server } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildDashboardHtml, createNonce, dashboardCsp } from '../../extension/dashboard/webview-html';

export const BUNDLE_DIR = join(__dirname, '..', '..', 'dist', 'webview');

const SHIM = `(() => {
  window.__cspViolations = [];
  document.addEventListener('securitypolicyviolation', (e) => window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));
  window.__deliver = (data) => window.dispatchEvent(new MessageEvent('message', { data }));
  let acquired = false;
  window.acquireVsCodeApi = () => {
    if (acquired) throw new Error('acquireVsCodeApi may be called once');
    acquired = true;
    return { postMessage: (message) => void window.__hostRequest(message), getState: () => undefined, setState: () => undefined };
  };
})();
`;

export interface DashboardPageServer {
  readonly origin: string;
  /** The CSP of the last document served. */
  readonly csp: () => string;
  /** Paths asked for that do not exist. */
  readonly missing: readonly string[];
  close(): Promise<void>;
}

export async function serveDashboard(): Promise<DashboardPageServer> {
  for (const f of ['dashboard.js', 'dashboard.css']) {
    if (!existsSync(join(BUNDLE_DIR, f))) throw new Error(`${join(BUNDLE_DIR, f)} is missing: run \`npm run build\` first`);
  }
  let origin = '';
  let csp = '';
  const missing: string[] = [];
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/') {
      const nonce = createNonce();
      csp = dashboardCsp(origin, nonce);
      const html = buildDashboardHtml({ cspSource: origin, nonce, scriptUri: `${origin}/dashboard.js`, styleUri: `${origin}/dashboard.css` }).replace(
        '</head>',
        `<script nonce="${nonce}" src="${origin}/shim.js"></script>\n</head>`,
      );
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': csp, 'cache-control': 'no-store' });
      return res.end(html);
    }
    const files: Record<string, [string, () => string | Buffer]> = {
      '/shim.js': ['text/javascript', () => SHIM],
      '/dashboard.js': ['text/javascript', () => readFileSync(join(BUNDLE_DIR, 'dashboard.js'))],
      '/dashboard.css': ['text/css', () => readFileSync(join(BUNDLE_DIR, 'dashboard.css'))],
    };
    const file = files[path];
    if (file === undefined) {
      // The browser asks for a favicon by itself; anything else unknown is a bug in the page.
      if (path !== '/favicon.ico') missing.push(path);
      res.writeHead(path === '/favicon.ico' ? 204 : 404).end();
      return;
    }
    res.writeHead(200, { 'content-type': file[0], 'cache-control': 'no-store' });
    res.end(file[1]());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  origin = `http://127.0.0.1:${address.port}`;
  return {
    origin,
    csp: () => csp,
    missing,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
