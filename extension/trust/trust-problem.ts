// A trust file that cannot be used is said once, loudly: a notification with the file's path and
// the fix, with a button that opens the file. The status bar entry and the Trusted Devices view keep
// showing it until the file is valid again (see status-text.ts and device-rows.ts).

import * as vscode from 'vscode';
import { fileProblems, type ShownFileProblem } from '../../engine/api/file-problems';
import { Commands } from '../constants';
import type { ModelPart } from '../model/node-model';
import type { Services } from '../services';
import { notify } from '../ui/safe-ui';
import { listen } from '../lifecycle/disposable';

/** The notification's text for a problem. */
export function trustProblemMessage(problem: ShownFileProblem): string {
  return problem.kind === 'trust'
    ? `MemCloud admits no new device or session until its trust file is fixed. ${problem.message}`
    : `MemCloud admits no device by a team certificate until its team file is fixed (devices trusted one by one still are). ${problem.message}`;
}

export function registerTrustProblem(context: vscode.ExtensionContext, services: Services): void {
  // Each file's problem is said once (again only if it changes or comes back after a fix).
  const shown = new Map<string, string>();
  const onChange = (parts: ReadonlySet<ModelPart>) => {
    if (!parts.has('status')) return;
    const problems = fileProblems(services.model.snapshot.status);
    for (const kind of shown.keys()) if (!problems.some((p) => p.kind === kind)) shown.delete(kind);
    for (const problem of problems) {
      const key = `${problem.since}:${problem.message}`;
      if (shown.get(problem.kind) === key) continue;
      shown.set(problem.kind, key);
      say(problem);
    }
  };
  const say = (problem: ShownFileProblem) => {
    services.log.error(problem.message);
    void notify('error', trustProblemMessage(problem), 'Open File', 'Show Log').then((picked) => {
      if (picked === 'Open File') void vscode.window.showTextDocument(vscode.Uri.file(problem.path));
      else if (picked === 'Show Log') void vscode.commands.executeCommand(Commands.showLog);
    });
  };
  context.subscriptions.push(listen(services.model, 'change', onChange));
}
