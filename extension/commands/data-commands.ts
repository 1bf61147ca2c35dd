// Offload a file or folder into the pool, restore it, free it. Files and folders are treated the
// same: the node reads and writes them itself (a folder travels as one archive).

import { basename } from 'node:path';
import * as vscode from 'vscode';
import type { DataItem, PushInfo } from '../../engine/api/types';
import { displayText } from '../../engine/text/display-text';
import { Commands } from '../constants';
import { requireClient, registerCommand, type Services } from '../services';
import { ItemActions, restorable } from '../data/item-actions';
import { itemActions } from '../data/item-ui';
import { runTransfer } from '../transfers/run-transfer';
import { notify, pick } from '../ui/safe-ui';
import { formatSize, holderLabel, nameList } from '../views/format';
import { dataOf } from './targets';

interface TransferOptions {
  readonly cancel?: vscode.CancellationToken;
}

export function registerDataCommands(context: vscode.ExtensionContext, services: Services): void {
  /** (uri | path, selected uris from the explorer, { cancel }: a token for programmatic callers). */
  registerCommand(context, services, Commands.offload, 'offload', async (arg?: unknown, selected?: unknown, opts?: TransferOptions) => {
    const paths = pathsOf(arg, selected);
    if (paths.length === 0) paths.push(...(await pickPathsToOffload()));
    const results: PushInfo[] = [];
    for (const path of paths) results.push(await offloadOne(services, path, opts?.cancel));
    return paths.length === 1 ? results[0] : results;
  });

  /** (data node | id, target path | Uri, { cancel }). A folder is restored into a new folder at the target. */
  registerCommand(context, services, Commands.restore, 'restore', async (arg?: unknown, target?: unknown, opts?: TransferOptions) => {
    const actions = itemActions(services, opts?.cancel);
    const item = (await itemFrom(actions, arg)) ?? (await pickItem(actions, 'Restore which item?', restorable));
    if (!item) return undefined;
    const path = target instanceof vscode.Uri ? target.fsPath : typeof target === 'string' ? target : undefined;
    const result = await actions.restore(item, path);
    if (!result.done) return undefined;
    void notify('info', `Restored ${item.name} (${formatSize(result.size ?? item.size)}) to ${result.path}.`);
    return result.info ?? { id: item.id, name: item.name, size: result.size };
  });

  registerCommand(context, services, Commands.free, 'free the item', async (arg?: unknown) => {
    const actions = itemActions(services);
    const item = (await itemFrom(actions, arg)) ?? (await pickItem(actions, 'Free which item? Its copies on every peer are deleted.', () => true));
    if (!item) return false;
    // Someone chose it by hand (tree or list): confirm. A string id comes from code that decided already.
    return (await actions.free(item, { confirm: typeof arg !== 'string' })).done;
  });
}

async function offloadOne(services: Services, path: string, cancel: vscode.CancellationToken | undefined): Promise<PushInfo> {
  const name = basename(path);
  const info = await runTransfer(services, `Offloading ${name}`, (transferId) => requireClient(services).pushFile(path, { transferId, name }), cancel);
  // The push says where the data went; the views refresh for everything else it changed.
  const where = info.replicas.length > 0 ? nameList(info.replicas.map(holderLabel)) : 'the pool';
  await services.model.refresh(['data', 'stats', 'peers']);
  services.log.info(`offloaded ${path} (${formatSize(info.size)}) as ${info.id}, held by ${where}`);
  void notify('info', `Offloaded ${name} (${formatSize(info.size)}), held by ${where}.`);
  const skipped = info.skipped ?? [];
  if (skipped.length > 0) {
    // The paths go to the log, the notification only counts them: a long list does not fit there.
    services.log.warn(displayText(`offload of ${path}: not stored (FIFOs, sockets and devices cannot be): ${skipped.map((p) => JSON.stringify(p)).join(', ')}`, 'log'));
    void notify('warning', `${skipped.length} special file(s) in ${name} (FIFOs, sockets, devices) could not be offloaded; the MemCloud log names them.`);
  }
  return info;
}

/** A tree node's item, or the item with that id (as a string argument). */
async function itemFrom(actions: ItemActions, arg: unknown): Promise<DataItem | undefined> {
  const fromNode = dataOf(arg);
  if (fromNode) return fromNode;
  return typeof arg === 'string' ? actions.find(arg) : undefined;
}

async function pickItem(actions: ItemActions, placeHolder: string, filter: (i: DataItem) => boolean): Promise<DataItem | undefined> {
  const items = await actions.list(filter);
  if (items.length === 0) {
    void notify('info', 'This machine has nothing offloaded yet. Use "MemCloud: Offload File or Folder..." first.');
    return undefined;
  }
  return pick(
    items.map((item) => ({ label: item.name, description: formatSize(item.size), detail: `${item.kind}, stored ${new Date(item.createdAt).toLocaleString()}`, value: item })),
    { placeHolder, matchOnDescription: true },
  );
}

async function pickPathsToOffload(): Promise<string[]> {
  const folders = await pick(
    [
      { icon: 'file', label: 'File...', value: false },
      { icon: 'folder', label: 'Folder...', value: true },
    ],
    { placeHolder: 'Offload a file or a folder?' },
  );
  if (folders === undefined) return [];
  const uris = await vscode.window.showOpenDialog({
    canSelectFiles: !folders,
    canSelectFolders: folders,
    canSelectMany: true,
    openLabel: 'Offload',
    title: 'Offload to MemCloud',
  });
  return (uris ?? []).map((u) => u.fsPath);
}

/** File system paths from the explorer's (uri, selectedUris) or a string / Uri argument. */
function pathsOf(arg: unknown, selected: unknown): string[] {
  if (Array.isArray(selected) && selected.length > 0 && selected.every((u) => u instanceof vscode.Uri)) {
    return (selected as vscode.Uri[]).map((u) => u.fsPath);
  }
  if (arg instanceof vscode.Uri) return [arg.fsPath];
  if (typeof arg === 'string' && arg.trim() !== '') return [arg];
  return [];
}
