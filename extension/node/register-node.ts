// The node's lifecycle in VS Code: the NodeConnection's state drives context keys, the model and the
// output channel; settings changes are applied (live, by reattaching, or after a restart the
// user agrees to).

import * as vscode from 'vscode';
import type { EngineEvent } from '../../engine/api/types';
import { ContextKeys } from '../constants';
import { showError } from '../errors/show-error';
import type { Services } from '../services';
import { notify } from '../ui/safe-ui';
import type { NodeSettings, SettingsChange } from '../settings/settings';
import { stateKey, type ConnectionState } from './node-connection';
import { listen } from '../lifecycle/disposable';

export function registerNodeLifecycle(context: vscode.ExtensionContext, services: Services): void {
  const { link, model, log } = services;
  const setContext = (key: string, value: unknown) => void vscode.commands.executeCommand('setContext', key, value);

  const onState = (state: ConnectionState) => {
    setContext(ContextKeys.nodeState, stateKey(state));
    setContext(ContextKeys.hostsNode, link.hosting);
    model.setClient(state.kind === 'running' ? link.client : undefined);
    if (state.kind === 'failed') showError(state.error, 'start or reach the MemCloud node', log);
  };
  const onEvent = (event: EngineEvent) => model.onEngineEvent(event);
  const onLog = (entry: { level: 'debug' | 'info' | 'warn' | 'error'; message: string }) => log[entry.level](entry.message);
  const onNote = (note: string) => log.info(note);
  context.subscriptions.push(listen(link, 'state', onState), listen(link, 'event', onEvent), listen(link, 'log', onLog), listen(link, 'note', onNote));
  onState(link.state);
}

/** Applies a settings change to the node; called by the SettingsSource. */
export async function applySettingsChange(services: Services, change: SettingsChange, before: NodeSettings, after: NodeSettings): Promise<void> {
  const { link, log } = services;
  link.setAutoStart(after.autoStart);
  if (after.autoStart && !before.autoStart && link.state.kind === 'stopped') void link.attach();
  switch (change) {
    case 'none':
      return;
    case 'reattach':
      log.info(`memcloud.home changed to ${after.home}: switching nodes`);
      await link.setHome(after.home);
      return;
    case 'offer-live': {
      const client = link.client;
      if (!client || after.engine.offeredBytes === undefined) return;
      try {
        await client.setOffer(after.engine.offeredBytes);
        log.info(`offered memory set to ${after.engine.offeredBytes} bytes`);
        await services.model.refresh(['status', 'stats']);
      } catch (err) {
        showError(err, 'apply the new offered memory', log);
      }
      return;
    }
    case 'restart': {
      if (!link.client) return; // applies when the node next starts
      const message = link.hosting
        ? 'The new MemCloud settings take effect when the node restarts. Restart it now? (Peers are told first, so nothing is lost.)'
        : 'The new MemCloud settings take effect the next time a node starts in VS Code; the node running now was started elsewhere. Restart it here now?';
      const picked = await notify('info', message, 'Restart Node');
      if (picked === 'Restart Node') await link.restartNode();
      return;
    }
  }
}
