// The host side of the dashboard, without vscode: it shows the extension's one NodeModel (the same
// data the trees and the status bar show), posts the full state on `ready` and whenever a part it
// shows changes, a throughput sample after every stats read, and has the model poll stats and the
// build cache once a second while the panel is visible. Row buttons go to the one ItemActions the
// palette and the trees use. dashboard-panel.ts wires it to a real WebviewPanel; the browser test
// wires it to a page.
//
// Rules (house style): nothing is posted before the webview's `ready`; a hidden panel's webview is
// discarded (no retainContextWhenHidden), so hiding forgets `ready` and stops the fast poll, and
// the reloaded page's `ready` brings the full state back. Replies are dropped if the page they
// were asked from has since reloaded (its ids would collide with the new page's).

import { toErrorPayload } from '../../engine/errors';
import { parseWebviewMessage, type DashboardState, type HostToWebview, type ItemRef, type RequestResult, type WebviewToHost } from '../../webview/dashboard/protocol';
import type { ItemActions } from '../data/item-actions';
import { Disposable, listen, toDisposable, type DisposableLike } from '../lifecycle/disposable';
import type { ModelPart, NodeModel } from '../model/node-model';

export interface DashboardHostOptions {
  readonly model: NodeModel;
  readonly actions: ItemActions;
  /** Delivers a message to the webview (WebviewPanel.webview.postMessage). */
  readonly post: (message: HostToWebview) => unknown;
  /** How often stats are read while the panel is visible; default 1000. */
  readonly pollMs?: number;
  /** Where dropped malformed messages are reported; default nowhere. */
  readonly log?: (message: string) => void;
}

const DETACHED: DashboardState = { attached: false, status: null, stats: null, peers: [], data: [], history: [], error: null };

/** The model's parts the page shows; a change to any other (trusted devices, teams) posts nothing. */
const SHOWN: ReadonlySet<ModelPart> = new Set<ModelPart>(['status', 'stats', 'peers', 'data', 'cache', 'error']);

export class DashboardHost extends Disposable {
  private ready = false;
  private visible = false;
  /** Counts `ready` messages: one per page load. */
  private page = 0;
  private watching: DisposableLike | null = null;
  private readonly model: NodeModel;

  constructor(private readonly options: DashboardHostOptions) {
    super();
    this.model = options.model;
    this._register(listen(this.model, 'change', (parts) => this.onChange(parts)));
    this._register(listen(this.model, 'sample', (stats, history) => this.send({ type: 'stats', stats, history })));
    this._register(toDisposable(() => this.setWatching(false)));
  }

  /** A message from the webview, unvalidated. */
  receive(raw: unknown): void {
    if (this.isDisposed) return;
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
        // Once a read in flight (the first one after attaching) has finished: no half-empty page.
        void this.model.refresh([]).then(() => this.sendState());
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

  /** Reads everything again and posts the full state. */
  async refresh(): Promise<void> {
    await this.model.refresh();
    this.sendState();
  }

  override dispose(): void {
    this.ready = false;
    super.dispose();
  }

  private onChange(parts: ReadonlySet<ModelPart>): void {
    // Stats alone move with every read: the 'sample' that follows carries them.
    if ([...parts].some((p) => SHOWN.has(p) && p !== 'stats')) this.sendState();
  }

  private sendState(): void {
    const snap = this.model.snapshot;
    if (!this.model.attached) return this.send({ type: 'state', state: DETACHED });
    const state: DashboardState = {
      attached: true,
      status: snap.status ?? null,
      stats: snap.stats ?? null,
      peers: snap.peers,
      data: snap.data,
      history: snap.history,
      // What was shown stays (a moment's failure should not blank the page); the banner says why.
      error: snap.error === undefined ? null : errorText(snap.error),
      ...(snap.cache ? { cache: snap.cache } : {}),
    };
    this.send({ type: 'state', state });
  }

  private updatePolling(): void {
    this.setWatching(this.ready && this.visible && !this.isDisposed);
  }

  private setWatching(want: boolean): void {
    if (want && this.watching === null) this.watching = this.model.watch(['stats', 'cache'], this.options.pollMs ?? 1000);
    else if (!want && this.watching !== null) {
      this.watching.dispose();
      this.watching = null;
    }
  }

  private async free(ref: ItemRef): Promise<RequestResult> {
    const { actions } = this.options;
    const { done, message } = await actions.free(await actions.find(ref));
    return { done, message };
  }

  private async restore(ref: ItemRef): Promise<RequestResult> {
    const { actions } = this.options;
    const { done, message } = await actions.restore(await actions.find(ref));
    return { done, message };
  }

  private answer(id: number, work: () => Promise<RequestResult>): void {
    const page = this.page;
    const reply = (message: HostToWebview) => {
      if (this.page === page) this.send(message);
    };
    work().then(
      (result) => reply({ type: 'reply', id, ok: true, result }),
      (err: unknown) => reply({ type: 'reply', id, ok: false, error: { code: toErrorPayload(err).code, message: errorText(toErrorPayload(err).message) } }),
    );
  }

  private send(message: HostToWebview): void {
    if (!this.ready || this.isDisposed) return;
    // postMessage fails once the panel is gone; nothing is left to tell then.
    try {
      Promise.resolve(this.options.post(message)).catch(() => undefined);
    } catch {
      /* the panel was disposed under us */
    }
  }
}

/** A message for the page, cut to a length a banner can show. */
function errorText(message: string): string {
  return message.length > 500 ? `${message.slice(0, 500)}…` : message;
}

function assertNever(x: never): never {
  throw new Error(`unhandled message ${JSON.stringify(x)}`);
}
