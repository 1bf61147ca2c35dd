// Every piece of text the extension puts in VS Code's own UI goes through here, escaped for what
// that UI interprets (engine/text/display-text.ts): notification messages and progress titles turn
// `[label](command:...)` into command links, quick picks and input messages render `$(icon)`,
// dialogs and trees show plain text. Names of devices, peers' error texts and file names can carry
// any of these, so no caller passes text to VS Code any other way (a unit test enforces it).

import * as vscode from 'vscode';
import { displayText } from '../../engine/text/display-text';

export type Severity = 'info' | 'warning' | 'error';

const SHOW: Readonly<Record<Severity, typeof vscode.window.showInformationMessage>> = {
  info: vscode.window.showInformationMessage,
  warning: vscode.window.showWarningMessage,
  error: vscode.window.showErrorMessage,
};

/** A notification toast; buttons are our own fixed titles. Resolves with the button picked. */
export function notify(severity: Severity, message: string, ...buttons: string[]): Thenable<string | undefined> {
  return SHOW[severity](displayText(message, 'notification'), ...buttons);
}

/** A modal dialog: its message and detail are plain text (never links), so peer text is best shown here. */
export function askModal(severity: Severity, message: string, detail: string | undefined, ...buttons: string[]): Thenable<string | undefined> {
  const options: vscode.MessageOptions = { modal: true, ...(detail === undefined ? {} : { detail: displayText(detail, 'plain') }) };
  return SHOW[severity](displayText(message, 'plain'), options, ...buttons);
}

/** A progress notification: its title and every progress message are notification text too. */
export function withNotificationProgress<R>(
  title: string,
  cancellable: boolean,
  task: (progress: vscode.Progress<{ message?: string; increment?: number }>, token: vscode.CancellationToken) => Thenable<R>,
): Thenable<R> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: displayText(title, 'notification'), cancellable }, (progress, token) =>
    task({ report: (v) => progress.report(v.message === undefined ? v : { ...v, message: displayText(v.message, 'notification') }) }, token),
  );
}

/** Progress in the status bar, whose text renders `$(icon)`. */
export function withWindowProgress<R>(title: string, task: () => Thenable<R>): Thenable<R> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: displayText(title, 'quick-pick') }, task);
}

/** An entry of a quick pick: `icon` is ours (a codicon id); label, description and detail are shown as text. */
export interface PickEntry<T> {
  readonly icon?: string;
  readonly label: string;
  readonly description?: string;
  readonly detail?: string;
  readonly alwaysShow?: boolean;
  readonly value: T;
}

export type PickItem<T> = vscode.QuickPickItem & { readonly value: T };

export function pickItem<T>(e: PickEntry<T>): PickItem<T> {
  const label = displayText(e.label, 'quick-pick');
  return {
    label: e.icon ? `$(${e.icon}) ${label}` : label,
    ...(e.description === undefined ? {} : { description: displayText(e.description, 'quick-pick') }),
    ...(e.detail === undefined ? {} : { detail: displayText(e.detail, 'quick-pick') }),
    ...(e.alwaysShow ? { alwaysShow: true } : {}),
    value: e.value,
  };
}

/** showQuickPick over entries; resolves with the picked entry's value. */
export async function pick<T>(entries: readonly PickEntry<T>[], options: { readonly placeHolder: string; readonly matchOnDescription?: boolean; readonly matchOnDetail?: boolean }): Promise<T | undefined> {
  const picked = await vscode.window.showQuickPick(entries.map(pickItem), { ...options, placeHolder: displayText(options.placeHolder, 'plain') });
  return picked?.value;
}

/** A quick pick whose items are set as entries (escaped on the way in). */
export function createPick<T>(): vscode.QuickPick<PickItem<T>> & { setEntries(entries: readonly PickEntry<T>[]): void } {
  const qp = vscode.window.createQuickPick<PickItem<T>>();
  return Object.assign(qp, { setEntries: (entries: readonly PickEntry<T>[]) => void (qp.items = entries.map(pickItem)) });
}

/**
 * An input box: the title and value are plain text; the prompt and every validation message are
 * rendered with links and icons, so they are escaped.
 */
export function askText(options: {
  readonly title: string;
  readonly prompt: string;
  readonly value?: string;
  readonly placeHolder?: string;
  readonly password?: boolean;
  readonly ignoreFocusOut?: boolean;
  readonly validateInput?: (value: string) => string | undefined;
}): Thenable<string | undefined> {
  const { validateInput } = options;
  return vscode.window.showInputBox({
    title: displayText(options.title, 'plain'),
    prompt: displayText(options.prompt, 'input-message'),
    ...(options.value === undefined ? {} : { value: options.value }),
    ...(options.placeHolder === undefined ? {} : { placeHolder: displayText(options.placeHolder, 'plain') }),
    ...(options.password ? { password: true } : {}),
    ...(options.ignoreFocusOut ? { ignoreFocusOut: true } : {}),
    ...(validateInput ? { validateInput: (v: string) => { const m = validateInput(v); return m === undefined ? undefined : displayText(m, 'input-message'); } } : {}),
  });
}
