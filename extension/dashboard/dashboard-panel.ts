// The MemCloud dashboard panel: the `memcloud.showDashboard` command and the single WebviewPanel
// it owns. The logic lives in DashboardHost (no vscode); this file only connects it to VS Code.

import * as vscode from 'vscode';
import { Commands } from '../constants';
import { itemActions } from '../data/item-ui';
import { Disposable } from '../lifecycle/disposable';
import type { Services } from '../services';
import { DashboardHost } from './dashboard-host';
import { buildDashboardHtml, createNonce } from './webview-html';

/** The panel's webview type (not contributed: the panel is not restored across reloads). */
const VIEW_TYPE = 'memcloud.dashboard';

/**
 * Registers `memcloud.showDashboard`: it opens the dashboard, or reveals it when already open. The
 * panel shows the model (which follows attach and detach by itself).
 */
export function registerDashboard(context: vscode.ExtensionContext, services: Services): void {
  let current: DashboardPanel | undefined;
  context.subscriptions.push(
    vscode.commands.registerCommand(Commands.showDashboard, () => {
      if (current !== undefined) return current.reveal();
      current = new DashboardPanel(context.extensionUri, services, () => {
        current = undefined;
      });
    }),
    { dispose: () => current?.dispose() },
  );
}

class DashboardPanel extends Disposable {
  private readonly panel: vscode.WebviewPanel;
  private readonly host: DashboardHost;
  private readonly bundle: vscode.Uri;
  private hidden = false;

  constructor(
    extensionUri: vscode.Uri,
    services: Services,
    private readonly onDisposed: () => void,
  ) {
    super();
    this.bundle = vscode.Uri.joinPath(extensionUri, 'dist', 'webview');
    this.panel = vscode.window.createWebviewPanel(VIEW_TYPE, 'MemCloud Dashboard', vscode.ViewColumn.Active, {
      enableScripts: true,
      localResourceRoots: [this.bundle],
    });
    this.host = new DashboardHost({
      model: services.model,
      actions: itemActions(services),
      post: (message) => this.panel.webview.postMessage(message),
      log: (message) => services.log.warn(message),
    });
    // Listen before the first load so the page's `ready` cannot be missed. Disposed newest first:
    // the listeners, then the host, then the panel.
    this._register(this.panel);
    this._register(this.host);
    this._register(this.panel.webview.onDidReceiveMessage((message: unknown) => this.host.receive(message)));
    this._register(this.panel.onDidChangeViewState(({ webviewPanel }) => this.onVisibility(webviewPanel.visible)));
    this._register(this.panel.onDidDispose(() => this.dispose()));
    this.load();
    this.host.setVisible(this.panel.visible);
  }

  reveal(): void {
    this.panel.reveal();
  }

  /** Idempotent; also runs when the user closes the panel. */
  override dispose(): void {
    if (this.isDisposed) return;
    super.dispose();
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
