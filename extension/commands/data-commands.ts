// Offload a file or folder into the pool, restore it, free it. Files and folders are treated the
// same: the node reads and writes them itself (a folder travels as one archive).

import { homedir } from 'node:os';
import { basename, join } from 'node:path';
import * as vscode from 'vscode';
import type { DataItem, PushInfo } from '../../engine/api/types';
import { displayText } from '../../engine/text/display-text';
import { Commands } from '../constants';
import { requireClient, registerCommand, type Services } from '../services';
import { runTransfer } from '../transfers/run-transfer';
import { askModal, notify, pick } from '../ui/safe-ui';
import { formatSize, holderLabel, nameList } from '../views/format';
import { dataOf, pathsOf } from './targets';

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
    const item = (await itemFrom(services, arg)) ?? (await pickItem(services, 'Restore which item?', (i) => i.kind === 'stream'));
    if (!item) return undefined;
    const path = target instanceof vscode.Uri ? target.fsPath : typeof target === 'string' ? target : await pickRestoreTarget(item);
    if (!path) return undefined;
    const info = await runTransfer(services, `Restoring ${item.name}`, (transferId) => requireClient(services).pullFile(item.id, path, { transferId }), opts?.cancel);
    services.log.info(`restored ${item.name} (${formatSize(info.size)}) to ${path}`);
    void notify('info', `Restored ${item.name} (${formatSize(info.size)}) to ${path}.`);
    return info;
  });

  registerCommand(context, services, Commands.free, 'free the item', async (arg?: unknown) => {
    const item = (await itemFrom(services, arg)) ?? (await pickItem(services, 'Free which item? Its copies on every peer are deleted.', () => true));
    if (!item) return false;
    // Someone chose it by hand (tree or list): confirm. A string id comes from code that decided already.
    if (typeof arg !== 'string') {
      const ok = await askModal('warning', `Free ${item.name} (${formatSize(item.size)})?`, 'Every copy, here and on peers, is deleted. This cannot be undone.', 'Free');
      if (ok !== 'Free') return false;
    }
    const client = requireClient(services);
    if (item.kind === 'key') await client.del(item.id);
    else await client.free(item.id);
    services.log.info(`freed ${item.name}`);
    await services.model.refresh(['data', 'stats', 'peers']);
    return true;
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
async function itemFrom(services: Services, arg: unknown): Promise<DataItem | undefined> {
  const fromNode = dataOf(arg);
  if (fromNode) return fromNode;
  if (typeof arg !== 'string') return undefined;
  const items = await requireClient(services).listData();
  const item = items.find((i) => i.id === arg);
  if (!item) throw new Error(`nothing with id ${arg} is stored by this node`);
  return item;
}

async function pickItem(services: Services, placeHolder: string, filter: (i: DataItem) => boolean): Promise<DataItem | undefined> {
  const items = (await requireClient(services).listData()).filter(filter);
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

async function pickRestoreTarget(item: DataItem): Promise<string | undefined> {
  const base = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? homedir();
  const uri = await vscode.window.showSaveDialog({
    defaultUri: vscode.Uri.file(join(base, item.name)),
    saveLabel: 'Restore Here',
    title: displayText(`Restore ${item.name} from MemCloud`, 'plain'),
  });
  return uri?.fsPath;
}
