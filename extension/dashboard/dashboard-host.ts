// The host side of the dashboard, without vscode: it answers the webview's messages from the
// EngineApi, posts the full state on `ready` and after engine events, and polls stats once a
// second while the panel is visible. dashboard-panel.ts wires it to a real WebviewPanel; the
// browser test wires it to a page.
//
// Rules (house style): nothing is posted before the webview's `ready`; a hidden panel's webview is
// discarded (no retainContextWhenHidden), so hiding forgets `ready` and stops the poll, and the
// reloaded page's `ready` brings the full state back. Replies are dropped if the page they were
// asked from has since reloaded (its ids would collide with the new page's).

import type { EngineApi } from '../../engine/api/engine-api';
import type { DataItem, EngineEvent } from '../../engine/api/types';
import { ErrorCodes, MemCloudError, toErrorPayload } from '../../engine/errors';
import { appendSample, type ThroughputSample } from '../../webview/dashboard/history';
import { parseWebviewMessage, type DashboardState, type HostToWebview, type ItemRef, type RequestResult, type WebviewToHost } from '../../webview/dashboard/protocol';
import { findItem, freeItem, restoreItem } from './data-actions';

/** The questions the host asks the user (vscode dialogs in the extension, scripted in tests). */
export interface DashboardUi {
  /** Asked before freeing; false keeps the item. */
  confirmFree(item: DataItem): Promise<boolean>;
  /** Where to restore an item; undefined cancels. */
  chooseRestorePath(item: DataItem): Promise<string | undefined>;
  writeFile(path: string, data: Uint8Array): Promise<void>;
}

/** Starts a repeating timer; returns its stop function. */
export type Ticker = (tick: () => void, ms: number) => () => void;

export interface DashboardHostOptions {
  readonly getClient: () => EngineApi | undefined;
  /** Delivers a message to the webview (WebviewPanel.webview.postMessage). */
  readonly post: (message: HostToWebview) => unknown;
  readonly ui: DashboardUi;
  /** Default 1000. */
  readonly pollMs?: number;
  readonly ticker?: Ticker;
  /** Where dropped malformed messages are reported; default nowhere. */
  readonly log?: (message: string) => void;
}

const intervalTicker: Ticker = (tick, ms) => {
  const timer = setInterval(tick, ms);
  timer.unref();
  return () => clearInterval(timer);
};

const DETACHED: DashboardState = { attached: false, status: null, stats: null, peers: [], data: [], history: [], error: null };

export class DashboardHost {
  private ready = false;
  private visible = false;
  private disposed = false;
  /** Counts `ready` messages: one per page load. */
  private page = 0;
  private stopPoll: (() => void) | null = null;
  private ticking = false;
  private refreshing: Promise<void> | null = null;
  private refreshAgain = false;
  /** The client the last state was read from; a different one (re)starts the history. */
  private client: EngineApi | undefined;
  private lastState: DashboardState | null = null;
  private history: ThroughputSample[] = [];

  constructor(private readonly options: DashboardHostOptions) {}

  /** A message from the webview, unvalidated. */
  receive(raw: unknown): void {
    if (this.disposed) return;
    let message: WebviewToHost;
    try {
      message = parseWebviewMessage(raw);
    } catch (err) {
      this.options.log?.(`dashboard: dropped a malformed webview message (${(err as Error).message})`);
      return;
    }
    switch (message.type) {
      case 'ready':
        this.ready = true;
        this.page++;
        void this.refresh();
        this.updatePolling();
        return;
      case 'refresh':
        return this.answer(message.id, async () => {
          await this.refresh();
          return { done: true, message: 'Refreshed.' };
        });
      case 'free': {
        const { item } = message;
        return this.answer(message.id, () => this.free(item));
      }
      case 'restore': {
        const { item } = message;
        return this.answer(message.id, () => this.restore(item));
      }
      default:
        return assertNever(message);
    }
  }

  setVisible(visible: boolean): void {
    this.visible = visible;
    if (!visible) this.ready = false;
    this.updatePolling();
  }

  onEngineEvent(event: EngineEvent): void {
    if (!this.ready || this.disposed) return; // the next `ready` reads everything anyway
    switch (event.type) {
      case 'peers-changed':
      case 'trust-changed':
      case 'data-changed':
      case 'cache-changed':
      case 'stopping':
        void this.refresh();
        return;
      default:
        return; // consent, progress and log events are shown elsewhere
    }
  }

  /** Idempotent. */
  dispose(): void {
    this.disposed = true;
    this.ready = false;
    this.updatePolling();
  }

  /** Reads everything and posts the full state; concurrent calls share one run plus at most one more. */
  refresh(): Promise<void> {
    if (this.refreshing !== null) {
      this.refreshAgain = true;
      return this.refreshing;
    }
    this.refreshing = (async () => {
      try {
        do {
          this.refreshAgain = false;
          await this.sendState();
        } while (this.refreshAgain && !this.disposed);
      } finally {
        // In the same step as the last loop check: a call from now on starts a new run.
        this.refreshing = null;
      }
    })();
    return this.refreshing;
  }

  private async sendState(): Promise<void> {
    const client = this.options.getClient();
    if (client !== this.client) {
      this.client = client;
      this.history = [];
    }
    let state: DashboardState;
    if (client === undefined) {
      state = DETACHED;
    } else {
      try {
        const [status, stats, peers, data, cache] = await Promise.all([client.status(), client.stats(), client.peers(), client.listData(), client.cacheStatus()]);
        this.history = appendSample(this.history, stats);
        state = { attached: true, status, stats, peers, data, history: this.history, error: null, cache };
      } catch (err) {
        // Keep what was shown (a moment's failure should not blank the page); the banner says why.
        const last = this.lastState?.attached ? this.lastState : DETACHED;
        state = { ...last, attached: true, history: this.history, error: errorText(err) };
      }
    }
    this.lastState = state;
    this.send({ type: 'state', state });
  }

  private async tick(): Promise<void> {
    if (this.ticking || !this.ready || this.disposed) return;
    this.ticking = true;
    try {
      const client = this.options.getClient();
      // Attached, detached or replaced since the last state, or recovering from an error: read all.
      if (client !== this.client || this.lastState === null || this.lastState.error !== null) {
        if (client !== undefined || this.lastState?.attached !== false) await this.refresh();
        return;
      }
      if (client === undefined) return;
      const [stats, cache] = await Promise.all([client.stats(), client.cacheStatus()]);
      if (this.options.getClient() !== client) return;
      // The build cache's counters move while builds run: then everything is sent again.
      if (JSON.stringify(cache) !== JSON.stringify(this.lastState.cache)) return void (await this.refresh());
      this.history = appendSample(this.history, stats);
      this.send({ type: 'stats', stats, history: this.history });
    } catch {
      await this.refresh(); // reads again and shows the error if it persists
    } finally {
      this.ticking = false;
    }
  }

  private updatePolling(): void {
    const want = this.ready && this.visible && !this.disposed;
    if (want && this.stopPoll === null) {
      this.stopPoll = (this.options.ticker ?? intervalTicker)(() => void this.tick(), this.options.pollMs ?? 1000);
    } else if (!want && this.stopPoll !== null) {
      this.stopPoll();
      this.stopPoll = null;
    }
  }

  private requireClient(): EngineApi {
    const client = this.options.getClient();
    if (client === undefined) throw new MemCloudError(ErrorCodes.NODE_NOT_RUNNING, 'No MemCloud node is attached to this window.');
    return client;
  }

  private async free(ref: ItemRef): Promise<RequestResult> {
    const client = this.requireClient();
    const item = await findItem(client, ref);
    if (!(await this.options.ui.confirmFree(item))) return { done: false, message: `Kept ${item.name}.` };
    await freeItem(client, item);
    await this.refresh();
    return { done: true, message: `Freed ${item.name}.` };
  }

  private async restore(ref: ItemRef): Promise<RequestResult> {
    const client = this.requireClient();
    const item = await findItem(client, ref);
    const path = await this.options.ui.chooseRestorePath(item);
    if (path === undefined) return { done: false, message: 'Restore cancelled.' };
    await restoreItem(client, item, path, (p, data) => this.options.ui.writeFile(p, data));
    return { done: true, message: `Restored ${item.name} to ${path}.` };
  }

  private answer(id: number, work: () => Promise<RequestResult>): void {
    const page = this.page;
    const reply = (message: HostToWebview) => {
      if (this.page === page) this.send(message);
    };
    work().then(
      (result) => reply({ type: 'reply', id, ok: true, result }),
      (err: unknown) => reply({ type: 'reply', id, ok: false, error: { code: toErrorPayload(err).code, message: errorText(err) } }),
    );
  }

  private send(message: HostToWebview): void {
    if (!this.ready || this.disposed) return;
    // postMessage fails once the panel is gone; nothing is left to tell then.
    try {
      Promise.resolve(this.options.post(message)).catch(() => undefined);
    } catch {
      /* the panel was disposed under us */
    }
  }
}

/** An error's message for the page: any thrown value, cut to a length a banner can show. */
function errorText(err: unknown): string {
  const message = toErrorPayload(err).message;
  return message.length > 500 ? `${message.slice(0, 500)}…` : message;
}

function assertNever(x: never): never {
  throw new Error(`unhandled message ${JSON.stringify(x)}`);
}
