// The MemCloud dashboard panel: the `memcloud.showDashboard` command and the single WebviewPanel
// it owns. The logic lives in DashboardHost (no vscode); this file only connects it to VS Code.

import * as vscode from 'vscode';
import type { EngineApi } from '../../engine/api/engine-api';
import type { EngineEvent } from '../../engine/api/types';
import { Commands } from '../constants';
import { DashboardHost } from './dashboard-host';
import { vscodeDashboardUi } from './dashboard-ui';
import { buildDashboardHtml, createNonce } from './webview-html';

/** The panel's webview type (not contributed: the panel is not restored across reloads). */
const VIEW_TYPE = 'memcloud.dashboard';

/**
 * Registers `memcloud.showDashboard`: it opens the dashboard, or reveals it when already open.
 * `getClient` returns undefined while no node is attached; the panel notices attach and detach by
 * itself (it asks on every poll).
 */
export function registerDashboard(
  context: vscode.ExtensionContext,
  getClient: () => EngineApi | undefined,
  onEngineEvent: (listener: (e: EngineEvent) => void) => vscode.Disposable,
): void {
  let current: DashboardPanel | undefined;
  context.subscriptions.push(
    vscode.commands.registerCommand(Commands.showDashboard, () => {
      if (current !== undefined) return current.reveal();
      current = new DashboardPanel(context.extensionUri, getClient, onEngineEvent, () => {
        current = undefined;
      });
    }),
    { dispose: () => current?.dispose() },
  );
}

class DashboardPanel {
  private readonly panel: vscode.WebviewPanel;
  private readonly host: DashboardHost;
  private readonly bundle: vscode.Uri;
  private readonly subscriptions: vscode.Disposable[] = [];
  private hidden = false;
  private disposed = false;

  constructor(
    extensionUri: vscode.Uri,
    getClient: () => EngineApi | undefined,
    onEngineEvent: (listener: (e: EngineEvent) => void) => vscode.Disposable,
    private readonly onDisposed: () => void,
  ) {
    this.bundle = vscode.Uri.joinPath(extensionUri, 'dist', 'webview');
    this.panel = vscode.window.createWebviewPanel(VIEW_TYPE, 'MemCloud Dashboard', vscode.ViewColumn.Active, {
      enableScripts: true,
      localResourceRoots: [this.bundle],
    });
    this.host = new DashboardHost({
      getClient,
      post: (message) => this.panel.webview.postMessage(message),
      ui: vscodeDashboardUi(),
      log: (message) => console.warn(`MemCloud: ${message}`),
    });
    // Listen before the first load so the page's `ready` cannot be missed.
    this.subscriptions.push(
      this.panel.webview.onDidReceiveMessage((message: unknown) => this.host.receive(message)),
      this.panel.onDidChangeViewState(({ webviewPanel }) => this.onVisibility(webviewPanel.visible)),
      this.panel.onDidDispose(() => this.dispose()),
      onEngineEvent((event) => this.host.onEngineEvent(event)),
    );
    this.load();
    this.host.setVisible(this.panel.visible);
  }

  reveal(): void {
    this.panel.reveal();
  }

  /** Idempotent; also runs when the user closes the panel. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.host.dispose();
    for (const s of this.subscriptions.splice(0)) s.dispose();
    this.panel.dispose();
    this.onDisposed();
  }

  /** Sets the document with a fresh nonce: on creation and whenever a hidden panel shows again. */
  private load(): void {
    const webview = this.panel.webview;
    webview.html = buildDashboardHtml({
      cspSource: webview.cspSource,
      nonce: createNonce(),
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(this.bundle, 'dashboard.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(this.bundle, 'dashboard.css')).toString(),
    });
  }

  private onVisibility(visible: boolean): void {
    this.host.setVisible(visible);
    if (visible && this.hidden) this.load();
    this.hidden = !visible;
  }
}
