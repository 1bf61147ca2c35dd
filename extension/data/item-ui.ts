// The item actions' questions to the user, asked with VS Code's own dialogs (the same from the
// palette, the tree and the dashboard), and the ItemActions the extension uses: bound to the
// attached node, the model, and restores of pushed files under a progress notification.

import * as os from 'node:os';
import * as vscode from 'vscode';
import type { DataItem } from '../../engine/api/types';
import { ErrorCodes, MemCloudError } from '../../engine/errors';
import { displayText } from '../../engine/text/display-text';
import { formatSize } from '../../engine/store/sizes';
import { requireClient, type Services } from '../services';
import { runTransfer } from '../transfers/run-transfer';
import { askModal } from '../ui/safe-ui';
import { ItemActions, suggestedFileName, type ItemUi } from './item-actions';

export function vscodeItemUi(): ItemUi {
  return {
    async confirmFree(item: DataItem): Promise<boolean> {
      const answer = await askModal(
        'warning',
        `Free "${item.name}" (${formatSize(item.size)})?`,
        'Every copy is removed, here and on the peers that hold it. This cannot be undone.',
        'Free',
      );
      return answer === 'Free';
    },

    async chooseRestorePath(item: DataItem): Promise<string | undefined> {
      const folder = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file')?.uri ?? vscode.Uri.file(os.homedir());
      const uri = await vscode.window.showSaveDialog({
        defaultUri: vscode.Uri.joinPath(folder, suggestedFileName(item)),
        saveLabel: 'Restore',
        title: displayText(`Restore ${item.name}`, 'plain'),
      });
      if (uri === undefined) return undefined;
      // The node writes pulled streams itself, so the target must be a path on this machine.
      if (uri.scheme !== 'file') throw new MemCloudError(ErrorCodes.BAD_ARGUMENT, `cannot restore into ${uri.scheme}: choose a local file`);
      return uri.fsPath;
    },

    async writeFile(path: string, data: Uint8Array): Promise<void> {
      await vscode.workspace.fs.writeFile(vscode.Uri.file(path), data);
    },
  };
}

/** The extension's item actions. `cancel` lets a programmatic caller cancel a restore too. */
export function itemActions(services: Services, cancel?: vscode.CancellationToken): ItemActions {
  return new ItemActions({
    client: () => requireClient(services),
    refresh: (parts) => services.model.refresh(parts),
    ui: vscodeItemUi(),
    pull: (item, path) => runTransfer(services, `Restoring ${item.name}`, (transferId) => requireClient(services).pullFile(item.id, path, { transferId }), cancel),
    log: (message) => services.log.info(message),
  });
}
