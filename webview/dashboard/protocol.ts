// The messages between the dashboard webview and the extension host, one union per direction,
// each with a validating parse function (unknown types and malformed fields are refused).
// No vscode and no DOM imports: both sides import this module.
//
// Flow: the webview posts `ready` once its listener is in place; only then does the host post,
// starting with the full `state` (again after every reload). While the panel is visible the host
// posts `stats` once a second. Requests from the webview carry a positive integer id; the host
// answers each with exactly one `reply` carrying the same id.

import type { BuildCacheStatus } from '../../engine/api/build-cache-types';
import type { DataItem, NodeStatus, PeerInfo, Stats } from '../../engine/api/types';
import { buildCacheStatus, dataItem, nodeStatus, peerInfo, stats } from '../../engine/api/schemas';
import type { ThroughputSample } from './history';
import { SchemaError, arr, bool, id, literal, nullable, num, obj, str, tagged, type Schema } from '../../engine/api/schema';

export { SchemaError } from '../../engine/api/schema';

/** Everything the dashboard shows, sent whole on `ready` and after engine events. */
export interface DashboardState {
  /** False while no node is attached to this window. */
  readonly attached: boolean;
  readonly status: NodeStatus | null;
  readonly stats: Stats | null;
  readonly peers: readonly PeerInfo[];
  readonly data: readonly DataItem[];
  readonly history: readonly ThroughputSample[];
  /** Why the node could not be read, or null. */
  readonly error: string | null;
  /** The build-cache endpoint, when the node said. */
  readonly cache?: BuildCacheStatus;
}

/** What a finished request did, for the webview's status line. */
export interface RequestResult {
  /** False when the user cancelled (declined the confirmation, closed the save dialog). */
  readonly done: boolean;
  readonly message: string;
}

export interface ReplyError {
  readonly code: string;
  readonly message: string;
}

export type HostToWebview =
  | { readonly type: 'state'; readonly state: DashboardState }
  | { readonly type: 'stats'; readonly stats: Stats; readonly history: readonly ThroughputSample[] }
  | { readonly type: 'reply'; readonly id: number; readonly ok: true; readonly result: RequestResult }
  | { readonly type: 'reply'; readonly id: number; readonly ok: false; readonly error: ReplyError };

/** Which item a request is about: kind and id together (a key's id is its name). */
export interface ItemRef {
  readonly kind: DataItem['kind'];
  readonly id: string;
}

export type WebviewToHost =
  | { readonly type: 'ready' }
  | { readonly type: 'refresh'; readonly id: number }
  | { readonly type: 'free'; readonly id: number; readonly item: ItemRef }
  | { readonly type: 'restore'; readonly id: number; readonly item: ItemRef };

export type WebviewRequest = Extract<WebviewToHost, { readonly id: number }>;

// --- schemas -----------------------------------------------------------------------------------

const sample: Schema<ThroughputSample> = obj({ at: num, sentPerSec: num, receivedPerSec: num, opsPerSec: num });
const history = arr(sample, 600);

const dashboardState: Schema<DashboardState> = obj(
  {
    attached: bool,
    status: nullable(nodeStatus),
    stats: nullable(stats),
    peers: arr(peerInfo),
    data: arr(dataItem),
    history,
    error: nullable(str),
  },
  { cache: buildCacheStatus },
);

// A reply is told apart by `ok`: a result when true, an error when false, never both.
const reply: Schema<Extract<HostToWebview, { type: 'reply' }>> = (v, p) => {
  const ok = (v as { ok?: unknown } | null)?.ok;
  if (ok === true) return obj({ type: literal('reply'), id, ok: bool, result: obj({ done: bool, message: str }) }, {}, 'strict')(v, p) as never;
  if (ok === false) return obj({ type: literal('reply'), id, ok: bool, error: obj({ code: str, message: str }) }, {}, 'strict')(v, p) as never;
  throw new SchemaError(`${p || 'message'}.ok: expected a boolean`);
};

const hostToWebview: Schema<HostToWebview> = tagged({
  state: obj({ type: literal('state'), state: dashboardState }, {}, 'strict'),
  stats: obj({ type: literal('stats'), stats, history }, {}, 'strict'),
  reply,
});

const itemRef: Schema<ItemRef> = obj({ kind: literal('block', 'key', 'stream', 'cache'), id: str }, {}, 'strict');

const webviewToHost: Schema<WebviewToHost> = tagged({
  ready: obj({ type: literal('ready') }, {}, 'strict'),
  refresh: obj({ type: literal('refresh'), id }, {}, 'strict'),
  free: obj({ type: literal('free'), id, item: itemRef }, {}, 'strict'),
  restore: obj({ type: literal('restore'), id, item: itemRef }, {}, 'strict'),
});

/** Validates a message the webview received. Throws SchemaError for anything else. */
export function parseHostMessage(value: unknown): HostToWebview {
  return hostToWebview(value, 'message');
}

/** Validates a message the host received from the webview. Throws SchemaError for anything else. */
export function parseWebviewMessage(value: unknown): WebviewToHost {
  return webviewToHost(value, 'message');
}
