// Consent in VS Code: notifications for requests as they arrive (and those already waiting when
// this window attaches), plus Allow Once / Deny on pending peers in the tree. Every path answers
// through ConsentPrompt.answer.

import * as vscode from 'vscode';
import type { ConsentAnswer, EngineEvent } from '../../engine/api/types';
import { Commands } from '../constants';
import { peerOf } from '../commands/targets';
import { registerCommand, type Services } from '../services';
import type { ConnectionState } from '../node/node-connection';
import { ConsentPrompt } from './consent-prompt';
import { listen } from '../lifecycle/disposable';

const ANSWERS: readonly ConsentAnswer[] = ['once', 'always', 'deny'];

export function registerConsent(context: vscode.ExtensionContext, services: Services): ConsentPrompt {
  const prompt = new ConsentPrompt(services);
  const onEvent = (event: EngineEvent) => prompt.onEngineEvent(event);
  const onState = (state: ConnectionState) => {
    if (state.kind === 'running') void prompt.showPending();
  };
  context.subscriptions.push(prompt, listen(services.link, 'event', onEvent), listen(services.link, 'state', onState));

  /** (requestId | pending peer node, answer): what tree actions and code call. */
  registerCommand(context, services, Commands.answerConsent, 'answer the request', async (arg?: unknown, answer?: unknown) => {
    const id = typeof arg === 'string' ? arg : peerOf(arg)?.consentId;
    if (!id) throw new Error('no pending request was given');
    if (typeof answer !== 'string' || !(ANSWERS as readonly string[]).includes(answer)) throw new Error('answer must be once, always or deny');
    return prompt.answer(id, answer as ConsentAnswer);
  });
  context.subscriptions.push(
    vscode.commands.registerCommand(Commands.allowOnce, (node: unknown) => vscode.commands.executeCommand(Commands.answerConsent, node, 'once')),
    vscode.commands.registerCommand(Commands.denyConsent, (node: unknown) => vscode.commands.executeCommand(Commands.answerConsent, node, 'deny')),
  );
  return prompt;
}
