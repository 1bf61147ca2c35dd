// The dashboard webview's entry (bundled to dist/webview/dashboard.js, with dashboard.css beside
// it). It keeps the last state the host sent, renders it, and turns button clicks into requests.
// Every message in is validated (protocol.ts); malformed ones are dropped.

import './dashboard.css';
import { parseHostMessage, type DashboardState, type HostToWebview, type ReplyError, type RequestResult, type WebviewRequest, type WebviewToHost } from './protocol';
import { DashboardRenderer } from './render';
import { buildDashboardView, type DataRow } from './view-model';

interface VsCodeApi {
  postMessage(message: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

type Reply = Extract<HostToWebview, { type: 'reply' }>;
type RequestBody = WebviewRequest extends infer R ? (R extends WebviewRequest ? Omit<R, 'id'> : never) : never;

const vscode = acquireVsCodeApi();
const post = (message: WebviewToHost): void => vscode.postMessage(message);

let state: DashboardState | null = null;
let nextId = 1;
const pending = new Map<number, (reply: Reply) => void>();

function request(body: RequestBody): Promise<RequestResult> {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    pending.set(id, (reply) => (reply.ok ? resolve(reply.result) : reject(replyError(reply.error))));
    post({ ...body, id } as WebviewRequest);
  });
}

function replyError(error: ReplyError): Error {
  return Object.assign(new Error(error.message), { code: error.code });
}

async function rowRequest(row: DataRow, type: 'free' | 'restore'): Promise<void> {
  renderer.setBusy(row.key, true);
  renderer.showStatus(type === 'free' ? `Freeing ${row.name}…` : `Restoring ${row.name}…`, 'info');
  try {
    const result = await request({ type, item: row.item });
    renderer.showStatus(result.message, 'info');
  } catch (err) {
    renderer.showStatus(`${type === 'free' ? 'Free' : 'Restore'} failed: ${(err as Error).message}`, 'error');
  } finally {
    renderer.setBusy(row.key, false);
  }
}

const root = document.getElementById('app');
if (root === null) throw new Error('dashboard: #app is missing');
const renderer = new DashboardRenderer(root, {
  refresh: () => {
    request({ type: 'refresh' }).then(
      (r) => renderer.showStatus(r.message, 'info'),
      (err: Error) => renderer.showStatus(`Refresh failed: ${err.message}`, 'error'),
    );
  },
  free: (row) => void rowRequest(row, 'free'),
  restore: (row) => void rowRequest(row, 'restore'),
});

function render(): void {
  renderer.render(buildDashboardView(state), state?.stats?.at ?? null);
}

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  let message: HostToWebview;
  try {
    message = parseHostMessage(event.data);
  } catch (err) {
    console.warn(`MemCloud dashboard: dropped a malformed message (${(err as Error).message})`);
    return;
  }
  switch (message.type) {
    case 'state':
      state = message.state;
      break;
    case 'stats':
      if (state === null) return; // the full state comes first; a stray poll result has nothing to join
      state = { ...state, stats: message.stats, history: message.history };
      break;
    case 'reply': {
      const settle = pending.get(message.id);
      pending.delete(message.id);
      settle?.(message);
      return;
    }
    default:
      return assertNever(message);
  }
  render();
});

function assertNever(x: never): never {
  throw new Error(`unhandled message ${JSON.stringify(x)}`);
}

render();
post({ type: 'ready' });
