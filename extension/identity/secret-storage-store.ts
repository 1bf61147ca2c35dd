// VS Code's Secret Storage as a secret store for the identity's wrapping key (store
// "vscode-secret-storage", key memcloud.identity.<item>; docs/identity.md). VS Code keeps these
// secrets encrypted with the OS keychain on the desktop; they are reachable only from this
// extension, so the extension host fetches the key and hands it to the engine worker.

import type * as vscode from 'vscode';
import { itemMissing, newItemId, secretFromText, secretText, storeUnavailable, type SecretStore } from '../../engine/identity/stores/secret-store';

const DESCRIPTION = "VS Code's Secret Storage";
const keyOf = (item: string): string => `memcloud.identity.${item}`;
const failed = (what: string, err: unknown): Error =>
  storeUnavailable(DESCRIPTION, `${what} (${err instanceof Error ? err.message : String(err)})`, 'Check that VS Code can reach your OS keychain (on Linux: a running Secret Service such as GNOME Keyring), then try again.');

export class SecretStorageStore implements SecretStore {
  readonly name = 'vscode-secret-storage' as const;
  readonly description = DESCRIPTION;

  constructor(private readonly secrets: vscode.SecretStorage) {}

  async put(secret: Uint8Array): Promise<string> {
    const item = newItemId();
    try {
      await this.secrets.store(keyOf(item), secretText(secret));
    } catch (err) {
      throw failed('storing the key failed', err);
    }
    return item;
  }

  async get(item: string): Promise<Uint8Array> {
    let text: string | undefined;
    try {
      text = await this.secrets.get(keyOf(item));
    } catch (err) {
      throw failed('reading the key failed', err);
    }
    const secret = text === undefined ? undefined : secretFromText(text);
    if (!secret) throw itemMissing(DESCRIPTION, item);
    return secret;
  }

  async remove(item: string): Promise<void> {
    try {
      await this.secrets.delete(keyOf(item));
    } catch (err) {
      throw failed('removing the old key failed', err);
    }
  }
}
