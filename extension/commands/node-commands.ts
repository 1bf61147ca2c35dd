// Start Node, Stop Node, Copy My Fingerprint, Set Offered Memory..., Show Log, Refresh.

import * as vscode from 'vscode';
import { parseSize } from '../../engine/store/sizes';
import { Commands, SETTINGS_SECTION, Settings } from '../constants';
import { validateSize } from '../input/validators';
import { requireClient, registerCommand, type Services } from '../services';
import { askText, notify, withNotificationProgress, withWindowProgress } from '../ui/safe-ui';
import { formatSize } from '../views/format';

export function registerNodeCommands(context: vscode.ExtensionContext, services: Services): void {
  const { link, log } = services;

  registerCommand(context, services, Commands.startNode, 'start the MemCloud node', async () => {
    if (link.state.kind === 'running') {
      void notify('info', `The MemCloud node is already running ${link.hosting ? 'in this window' : 'elsewhere on this machine; this window uses it'}.`);
      return link.state;
    }
    await withWindowProgress('Starting MemCloud', () => link.attach({ start: true }));
    return link.state;
  });

  registerCommand(context, services, Commands.stopNode, 'stop the MemCloud node', async () => {
    if (link.state.kind !== 'running') {
      void notify('info', 'No MemCloud node is running.');
      return link.state;
    }
    await withNotificationProgress(
      'Stopping the MemCloud node (peers are told first, so they can move their data)...',
      false,
      () => link.stopNode(),
    );
    log.info('node stopped on request');
    return link.state;
  });

  registerCommand(context, services, Commands.copyFingerprint, 'copy the fingerprint', async () => {
    const status = await requireClient(services).status();
    await vscode.env.clipboard.writeText(status.fingerprint);
    const picked = await notify(
      'info',
      `Copied this device's fingerprint ${status.fingerprint}. The other device needs its public key to trust it.`,
      'Copy Public Key',
    );
    if (picked) await vscode.env.clipboard.writeText(status.publicKey);
    return status.fingerprint;
  });

  registerCommand(context, services, Commands.setOfferedMemory, 'set the offered memory', async (size?: unknown) => {
    const current = services.model.snapshot.status?.offeredBytes;
    const text =
      typeof size === 'string' || typeof size === 'number'
        ? String(size)
        : await askText({
            title: 'RAM this machine offers to peers',
            prompt: 'A size such as 512mb, 4gb or 0 (lend nothing); applies at once and is saved in your settings',
            value: current === undefined ? '' : formatSize(current).replace(' ', ''),
            validateInput: (v) => validateSize(v),
          });
    if (text === undefined) return undefined;
    const invalid = validateSize(text);
    if (invalid) throw new Error(invalid);
    const bytes = parseSize(text);
    if (link.client) await link.client.setOffer(bytes);
    // Saved in the user's settings: it describes this machine, not a workspace.
    await vscode.workspace.getConfiguration(SETTINGS_SECTION).update(Settings.offeredMemory, text.trim(), vscode.ConfigurationTarget.Global);
    log.info(`offering ${formatSize(bytes)} to peers`);
    await services.model.refresh(['status', 'stats']);
    return bytes;
  });

  registerCommand(context, services, Commands.showLog, 'show the log', async () => log.show(true));
  registerCommand(context, services, Commands.refresh, 'refresh', () => services.model.refresh());
}
