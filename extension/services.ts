// What the extension's parts share: the link to the node, the model the views read, the output
// channel and the settings. Built once in activate() and handed to each registerX().

import * as vscode from 'vscode';
import type { EngineApi } from '../engine/api/engine-api';
import { ErrorCodes, MemCloudError } from '../engine/errors';
import type { CommandId } from './constants';
import { showError } from './errors/show-error';
import type { NodeModel } from './model/node-model';
import type { NodeConnection } from './node/node-connection';
import type { SettingsSource } from './settings/settings-source';

export interface Services {
  readonly link: NodeConnection;
  readonly model: NodeModel;
  readonly log: vscode.LogOutputChannel;
  readonly settings: SettingsSource;
}

/** The attached node, or NODE_NOT_RUNNING (shown with a Start Node button). */
export function requireClient(services: Services): EngineApi {
  const client = services.link.client;
  if (!client) throw new MemCloudError(ErrorCodes.NODE_NOT_RUNNING, 'no MemCloud node is attached');
  return client;
}

/**
 * Registers a command whose failures are shown in one way: "Could not <what>: <why>". The
 * handler's result is returned to executeCommand callers (tree actions, tests); a failure
 * resolves to undefined after it is shown.
 */
export function registerCommand<A extends unknown[], R>(
  context: vscode.ExtensionContext,
  services: Services,
  id: CommandId,
  what: string | ((...args: A) => string),
  handler: (...args: A) => Promise<R>,
): void {
  context.subscriptions.push(
    vscode.commands.registerCommand(id, async (...args: A) => {
      try {
        return await handler(...args);
      } catch (err) {
        showError(err, typeof what === 'string' ? what : what(...args), services.log);
        return undefined;
      }
    }),
  );
}
