// "MemCloud: Use LAN RAM for Build Caches" and "...: Stop Using LAN RAM for Build Caches": the
// node's build-cache endpoint, and its variables in every new integrated terminal while it listens
// (whoever started it: this window, another one, or `memcloud cache start`).

import * as vscode from 'vscode';
import type { BuildCacheStatus } from '../../engine/api/build-cache-types';
import type { EngineEvent } from '../../engine/api/types';
import { Commands, ContextKeys } from '../constants';
import type { ModelPart } from '../model/node-model';
import { requireClient, registerCommand, type Services } from '../services';
import { notify } from '../ui/safe-ui';
import { TerminalVariables } from './terminal-variables';
import { listen } from '../lifecycle/disposable';

export function registerBuildCache(context: vscode.ExtensionContext, services: Services): TerminalVariables {
  const { link, model, log } = services;
  const terminals = new TerminalVariables(context.environmentVariableCollection);
  const attached = () => (link.state.kind === 'running' ? link.client : undefined);
  let running: boolean | undefined;
  const show = (status: BuildCacheStatus | undefined) => {
    const now = status?.running === true;
    if (now !== running) void vscode.commands.executeCommand('setContext', ContextKeys.buildCacheRunning, now);
    running = now;
  };
  const sync = (status: BuildCacheStatus | undefined) => {
    show(status);
    void terminals.update(attached(), status);
  };

  const onState = () => {
    if (link.state.kind !== 'running') {
      terminals.clear(); // at once: a terminal opened now must not point at a node that is gone
      show(undefined);
    }
  };
  // Started or stopped (here, in another window or by the CLI): read it now, not at the next poll.
  const onEvent = (event: EngineEvent) => {
    if (event.type !== 'cache-changed') return;
    const client = attached();
    if (!client) return;
    client.cacheStatus().then(sync, () => sync(undefined));
  };
  const onModel = (parts: ReadonlySet<ModelPart>) => {
    if (parts.has('cache')) sync(model.snapshot.cache);
  };
  context.subscriptions.push(listen(link, 'state', onState), listen(link, 'event', onEvent), listen(model, 'change', onModel), { dispose: () => terminals.clear() });

  registerCommand(context, services, Commands.useBuildCache, 'use LAN RAM for build caches', async () => {
    const client = requireClient(services);
    const status = await client.cacheStart({});
    await terminals.update(client, status);
    show(status);
    void model.refresh(['cache', 'data']);
    log.info(`build cache: endpoint at ${status.url}; new terminals get its variables`);
    void notify(
      'info',
      `Build caches now use LAN RAM through ${status.url}. New terminals get the variables for Turborepo, Nx, ccache and Gradle; for Bazel, run "memcloud cache env" for its flags.`,
      'Open Terminal',
    ).then((choice) => {
      if (choice === 'Open Terminal') vscode.window.createTerminal().show();
    });
    return status;
  });

  registerCommand(context, services, Commands.stopBuildCache, 'stop using LAN RAM for build caches', async () => {
    const client = requireClient(services);
    const status = await client.cacheStop();
    terminals.clear();
    show(status);
    void model.refresh(['cache', 'data']);
    log.info('build cache: endpoint stopped; new terminals no longer get its variables');
    void notify('info', 'Build caches no longer use LAN RAM. Terminals opened before keep the variables until you open new ones; the entries stay until freed in Offloaded Data.');
    return status;
  });

  return terminals;
}
