// The identity key in VS Code: the window's Secret Storage and input boxes for identity-storage.ts,
// and the setting memcloud.identityKeyStorage applied as soon as it changes (the running node keeps
// its key in memory: only how the key is kept on this machine changes).

import * as vscode from 'vscode';
import { ErrorCodes, MemCloudError } from '../../engine/errors';
import type { SecretRequest } from '../../engine/identity/identity-unlock';
import { passphraseBytes } from '../../engine/identity/passphrase-kdf';
import { SETTINGS_SECTION, Settings } from '../constants';
import { showError } from '../errors/show-error';
import { askText } from '../ui/safe-ui';
import type { Services } from '../services';
import { applyIdentityStorage, type IdentityStorageMode, type IdentityWindow } from './identity-storage';
import { SecretStorageStore } from './secret-storage-store';

const MODES: readonly IdentityStorageMode[] = ['asIs', 'secretStorage', 'file'];

function mode(): IdentityStorageMode {
  const v = vscode.workspace.getConfiguration(SETTINGS_SECTION).get<string>(Settings.identityKeyStorage);
  return (MODES as readonly string[]).includes(v ?? '') ? (v as IdentityStorageMode) : 'asIs';
}

async function ask(request: SecretRequest): Promise<Uint8Array> {
  const label = request.kind === 'pin' ? 'PIN' : 'passphrase';
  const text = await askText({
    title: 'MemCloud',
    prompt: `${request.what} is protected: enter its ${label} to start the node.`,
    password: true,
    ignoreFocusOut: true,
  });
  if (text === undefined) throw new MemCloudError(ErrorCodes.IDENTITY_LOCKED, `The node did not start: no ${label} was entered for ${request.what.replace(/^The /, 'the ')}.`);
  return passphraseBytes(text);
}

export function identityWindow(context: vscode.ExtensionContext, note: (message: string) => void): IdentityWindow {
  return { mode, store: new SecretStorageStore(context.secrets), ask, note };
}

export function registerIdentityStorage(context: vscode.ExtensionContext, services: Services, window: IdentityWindow): void {
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration(async (e) => {
      if (!e.affectsConfiguration(`${SETTINGS_SECTION}.${Settings.identityKeyStorage}`)) return;
      try {
        await applyIdentityStorage(services.link.nodeHome, window);
      } catch (err) {
        showError(err, 'change how the identity key is kept', services.log);
      }
    }),
  );
}
