// A trust file that cannot be used is said once, loudly: a notification with the file's path and
// the fix, with a button that opens the file. The status bar entry and the Trusted Devices view keep
// showing it until the file is valid again (see status-text.ts and device-rows.ts).

import * as vscode from 'vscode';
import type { TrustFileProblemInfo } from '../../engine/api/types';
import { Commands } from '../constants';
import type { ModelPart } from '../model/node-model';
import type { Services } from '../services';
import { notify } from '../ui/safe-ui';

/** The notification's text for a problem. */
export function trustProblemMessage(problem: TrustFileProblemInfo): string {
  return `MemCloud admits no new device or session until its trust file is fixed. ${problem.message}`;
}

export function registerTrustProblem(context: vscode.ExtensionContext, services: Services): void {
  let shown = '';
  const onChange = (parts: ReadonlySet<ModelPart>) => {
    if (!parts.has('status')) return;
    const problem = services.model.snapshot.status?.trustFileProblem;
    const key = problem ? `${problem.since}:${problem.message}` : '';
    if (key === shown) return;
    shown = key;
    if (!problem) return;
    services.log.error(problem.message);
    void notify('error', trustProblemMessage(problem), 'Open File', 'Show Log').then((picked) => {
      if (picked === 'Open File') void vscode.window.showTextDocument(vscode.Uri.file(problem.path));
      else if (picked === 'Show Log') void vscode.commands.executeCommand(Commands.showLog);
    });
  };
  services.model.on('change', onChange);
  context.subscriptions.push({ dispose: () => services.model.off('change', onChange) });
}
