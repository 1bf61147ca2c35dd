// One e2e session = sandbox + code-server + Chromium showing the workbench. close() tears all three
// down (browser, then the server's process group, then the temp dirs) and is idempotent; sessions
// still open when the process is interrupted are torn down too.
import { prepare } from './prepare.mjs';
import { createSandbox, launchChromium, startCodeServer } from './code-server.mjs';
import { withTimeout } from './proc.mjs';

const live = new Set();
let handlersInstalled = false;

function installSignalHandlers() {
  if (handlersInstalled) return;
  handlersInstalled = true;
  const onSignal = (signal) => {
    const all = [...live].map((s) => s.close());
    const code = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 }[signal];
    void withTimeout(Promise.allSettled(all), 10_000, 'e2e cleanup').finally(() => process.exit(code));
  };
  for (const signal of ['SIGHUP', 'SIGINT', 'SIGTERM']) process.once(signal, onSignal);
  // Last resort when the process exits without closing: SIGKILL the server groups synchronously.
  process.once('exit', () => {
    for (const s of live) {
      try {
        process.kill(-s.server.pid, 'SIGKILL');
      } catch {}
      if (!process.env.E2E_KEEP) s.sandbox.dispose();
    }
  });
}

/**
 * The workbench URL. extensionDevelopmentPath / extensionTestsPath are not code-server flags: the
 * web client takes them from the `payload` query parameter, as vscode-remote URIs on this server.
 */
export function workbenchUrl({ origin, port, workspace, extensionDir, testsPath }) {
  // Percent-encode each segment: a space, '#' or '?' in a path must not end the URI's path.
  const remote = (p) => `vscode-remote://127.0.0.1:${port}${p.split('/').map(encodeURIComponent).join('/')}`;
  const payload = [];
  if (extensionDir) payload.push(['extensionDevelopmentPath', remote(extensionDir)]);
  if (testsPath) payload.push(['extensionTestsPath', remote(testsPath)]);
  payload.push(['skipWelcome', 'true']);
  const query = new URLSearchParams({ folder: workspace, payload: JSON.stringify(payload) });
  return `${origin}/?${query}`;
}

/**
 * @param {{ extensionDir?: string, testsPath?: string, workspace?: string,
 *   env?: Record<string, string>, extensionsDir?: string, sandbox?: ReturnType<typeof createSandbox>,
 *   beforeNavigate?: (page: import('playwright-core').Page) => Promise<void>,
 *   verbose?: boolean, prepared?: boolean, log?: (msg: string) => void }} options
 */
export async function startSession(options) {
  const { extensionDir, testsPath, env = {}, extensionsDir, beforeNavigate, verbose = !!process.env.E2E_VERBOSE } = options;
  if (!options.prepared) await prepare(options.log ? { log: options.log } : {});
  installSignalHandlers();
  const sandbox = options.sandbox ?? createSandbox();
  const workspace = options.workspace ?? sandbox.workspace;
  const session = { sandbox, server: undefined, browser: undefined, page: undefined, url: '', close: undefined };
  let closing;
  session.close = () =>
    (closing ??= (async () => {
      await session.browser?.close();
      await session.server?.stop();
      if (process.env.E2E_KEEP) process.stderr.write(`e2e: kept ${sandbox.dir}\n`);
      else sandbox.dispose();
      live.delete(session);
    })());
  live.add(session);
  try {
    session.server = await startCodeServer({ sandbox, extensionsDir, env, verbose });
    session.browser = await launchChromium({ sandbox });
    session.page = session.browser.page;
    if (verbose) session.page.on('console', (m) => process.stderr.write(`[page ${m.type()}] ${m.text()}\n`));
    if (beforeNavigate) await beforeNavigate(session.page);
    session.url = workbenchUrl({ ...session.server, workspace, extensionDir, testsPath });
    await session.page.goto(session.url, { waitUntil: 'domcontentloaded' });
    return session;
  } catch (err) {
    await session.close();
    throw err;
  }
}
