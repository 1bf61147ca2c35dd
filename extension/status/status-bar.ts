// The status bar entry: pooled RAM and connected peers; a click opens the dashboard.

import * as vscode from 'vscode';
import { displayText } from '../../engine/text/display-text';
import { Commands } from '../constants';
import { stateKey } from '../node/node-connection';
import type { Services } from '../services';
import { statusText } from './status-text';
import { listen } from '../lifecycle/disposable';

export function registerStatusBar(context: vscode.ExtensionContext, services: Services): vscode.StatusBarItem {
  const item = vscode.window.createStatusBarItem('memcloud.status', vscode.StatusBarAlignment.Left, 50);
  item.name = 'MemCloud';
  item.command = Commands.showDashboard;
  const render = () => {
    const { text, tooltip: raw, trustFile } = statusText(stateKey(services.link.state), services.link.hosting, services.model.snapshot);
    const tooltip = displayText(raw, 'plain');
    if (item.text !== text) item.text = text;
    if (item.tooltip !== tooltip) item.tooltip = tooltip;
    item.command = trustFile ? { command: 'vscode.open', title: 'Open the trust file', arguments: [vscode.Uri.file(trustFile)] } : Commands.showDashboard;
    item.backgroundColor = trustFile ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
  };
  context.subscriptions.push(item, listen(services.link, 'state', render), listen(services.model, 'change', render));
  render();
  item.show();
  return item;
}
