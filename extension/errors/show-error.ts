// Puts an engine error on screen: the message from user-message.ts, with buttons that help.

import * as vscode from 'vscode';
import { Commands, SETTINGS_SECTION } from '../constants';
import { notify } from '../ui/safe-ui';
import { userMessage, type ErrorAction } from './user-message';

const BUTTONS: Readonly<Record<ErrorAction, { readonly title: string; readonly run: () => Thenable<unknown> }>> = {
  startNode: { title: 'Start Node', run: () => vscode.commands.executeCommand(Commands.startNode) },
  openSettings: { title: 'Open Settings', run: () => vscode.commands.executeCommand('workbench.action.openSettings', SETTINGS_SECTION) },
  showLog: { title: 'Show Log', run: () => vscode.commands.executeCommand(Commands.showLog) },
  connectPeer: { title: 'Connect to Peer...', run: () => vscode.commands.executeCommand(Commands.connectPeer) },
  trustDevice: { title: 'Trust Device...', run: () => vscode.commands.executeCommand(Commands.trustDevice) },
};

/** Logs the failure and shows it; resolves once shown (not when the user dismisses it). */
export function showError(err: unknown, what: string, log?: vscode.LogOutputChannel): void {
  const msg = userMessage(err, what);
  log?.[msg.severity === 'info' ? 'info' : msg.severity === 'warning' ? 'warn' : 'error'](msg.text);
  const titles = msg.actions.map((a) => BUTTONS[a].title);
  void notify(msg.severity, msg.text, ...titles).then((picked) => {
    const action = msg.actions.find((a) => BUTTONS[a].title === picked);
    if (action) void BUTTONS[action].run();
  });
}
