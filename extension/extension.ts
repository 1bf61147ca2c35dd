// MemCloud for VS Code. activate() only wires things up and returns at once: attaching to the
// machine's node (or starting its engine in worker threads) happens asynchronously.

import * as vscode from 'vscode';
import { registerBuildCache } from './buildcache/register-build-cache';
import type { TerminalVariables } from './buildcache/terminal-variables';
import { registerDataCommands } from './commands/data-commands';
import { registerNodeCommands } from './commands/node-commands';
import { registerPeerCommands } from './commands/peer-commands';
import { registerTeamCommands } from './commands/team-commands';
import { registerTrustCommands } from './commands/trust-commands';
import { describeTeams } from '../engine/team/team-view';
import { OUTPUT_CHANNEL_NAME } from './constants';
import type { ConsentPrompt } from './consent/consent-prompt';
import { registerConsent } from './consent/register-consent';
import { registerDashboard } from './dashboard/dashboard-panel';
import { NodeModel } from './model/node-model';
import { NodeConnection } from './node/node-connection';
import { realNodeConnectionDeps } from './node/real-deps';
import { applySettingsChange, registerNodeLifecycle } from './node/register-node';
import type { Services } from './services';
import { SettingsSource } from './settings/settings-source';
import { registerStatusBar } from './status/status-bar';
import { registerTrustProblem } from './trust/trust-problem';
import { registerViews, type MemCloudViews } from './views/register-views';
import { identityUnlockFor, type IdentityWindow } from './identity/identity-storage';
import { identityWindow, registerIdentityStorage } from './identity/register-identity';

/** What activate() returns; `testing` is for the extension's own end-to-end tests only. */
export interface MemCloudExtensionExports {
  readonly testing: {
    readonly views: MemCloudViews;
    readonly consent: ConsentPrompt;
    readonly link: NodeConnection;
    readonly model: NodeModel;
    /** How long activate() itself took (the node attaches afterwards, in the background). */
    readonly activationMs: number;
    readonly statusBar: vscode.StatusBarItem;
    readonly terminalVariables: TerminalVariables;
    readonly environment: vscode.GlobalEnvironmentVariableCollection;
  };
}

let active: Services | undefined;

export function activate(context: vscode.ExtensionContext): MemCloudExtensionExports {
  const started = performance.now();
  const { services, identity } = createServices(context);
  registerNodeLifecycle(context, services);
  registerIdentityStorage(context, services, identity);
  const views = registerViews(context, services);
  const statusBar = registerStatusBar(context, services);
  registerTrustProblem(context, services);
  const consent = registerConsent(context, services);
  registerTrustCommands(context, services);
  registerTeamCommands(context, services);
  registerPeerCommands(context, services);
  registerDataCommands(context, services);
  registerNodeCommands(context, services);
  const terminalVariables = registerBuildCache(context, services);
  registerDashboard(context, services);
  services.settings.reportProblems();
  void services.link.attach();
  active = services;
  const activationMs = performance.now() - started;
  services.log.info(`MemCloud activated in ${activationMs.toFixed(1)} ms (home ${services.link.nodeHome}); attaching to the node in the background`);
  return {
    testing: { views, consent, link: services.link, model: services.model, activationMs, statusBar, terminalVariables, environment: context.environmentVariableCollection },
  };
}

/** A node hosted in this window leaves gracefully; attached windows then take over. */
export async function deactivate(): Promise<void> {
  const services = active;
  active = undefined;
  await services?.link.dispose();
  services?.model.dispose();
}

function createServices(context: vscode.ExtensionContext): { services: Services; identity: IdentityWindow } {
  const log = vscode.window.createOutputChannel(OUTPUT_CHANNEL_NAME, { log: true });
  const identity = identityWindow(context, (message) => log.info(message));
  // The teams shown are those of the home the link serves (read at each refresh: the home can change).
  let link: NodeConnection | undefined;
  const model = new NodeModel({ teams: () => (link ? describeTeams(link.nodeHome) : Promise.resolve([])) });
  // The settings source calls back on changes; `services` exists by the time any change arrives.
  let services: Services | undefined;
  const settings = new SettingsSource((change, before, after) => {
    if (services) void applySettingsChange(services, change, before, after);
  });
  const deps = realNodeConnectionDeps(() => settings.current, (home) => identityUnlockFor(home, identity));
  link = new NodeConnection(settings.current.home, settings.current.autoStart, deps);
  services = { link, model, log, settings };
  context.subscriptions.push(log, settings);
  return { services, identity };
}
