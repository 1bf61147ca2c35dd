// The identity key when a node starts in this window (no vscode here; the window's Secret Storage
// and input boxes come in as parameters): the key is first moved to the form the setting
// memcloud.identityKeyStorage asks for, then what opens it (the Secret Storage item's key, or a
// passphrase or PIN asked in an input box) is handed to the engine worker (docs/identity.md).

import { homePaths } from '../../engine/home/paths';
import { readIdentityRecord } from '../../engine/identity/identity-file';
import { protectIdentity } from '../../engine/identity/identity-protect';
import type { IdentityRecord } from '../../engine/identity/identity-record';
import type { IdentityUnlock, SecretRequest } from '../../engine/identity/identity-unlock';
import type { SecretStore } from '../../engine/identity/stores/secret-store';
import { defaultStores, type StoreResolver } from '../../engine/identity/stores/store-registry';
import type { WorkerUnlock } from '../../engine/worker/worker-messages';

export type IdentityStorageMode = 'asIs' | 'secretStorage' | 'file';

export interface IdentityWindow {
  readonly mode: () => IdentityStorageMode;
  readonly store: SecretStore;
  /** Asks for a passphrase or PIN (an input box); rejects when the user cancels. */
  readonly ask: (request: SecretRequest) => Promise<Uint8Array>;
  readonly note: (message: string) => void;
}

function stores(window: IdentityWindow): StoreResolver {
  const base = defaultStores(process.env);
  return (name) => (name === window.store.name ? window.store : base(name));
}

function isInWindowStore(record: IdentityRecord | undefined, window: IdentityWindow): boolean {
  return record?.form === 'os' && record.store === window.store.name;
}

/** Moves the key to the form the setting asks for, if it is not kept so already. */
export async function applyIdentityStorage(home: string, window: IdentityWindow): Promise<IdentityRecord | undefined> {
  const path = homePaths(home).identityKey;
  const record = await readIdentityRecord(path);
  const mode = window.mode();
  const unlock: IdentityUnlock = { secret: window.ask, stores: stores(window) };
  if (mode === 'secretStorage' && !isInWindowStore(record, window)) {
    if (record?.form === 'pkcs11') {
      window.note('memcloud.identityKeyStorage is "secretStorage", but the identity key is on a PKCS#11 token and stays there.');
      return record;
    }
    const moved = await protectIdentity(home, { form: 'os', store: window.store }, unlock);
    window.note(`The identity key is now kept in VS Code's Secret Storage (it was ${moved.from === 'none' ? 'new' : moved.from}); the identity is unchanged.`);
    return moved.record;
  }
  if (mode === 'file' && record !== undefined && record.form !== 'plain' && record.form !== 'pkcs11') {
    const moved = await protectIdentity(home, { form: 'plain' }, unlock);
    window.note(`The identity key is now kept in a plain file (it was ${moved.from}); the identity is unchanged.`);
    return moved.record;
  }
  return record;
}

/** What the engine worker needs to open the key of `home` (moved first per the setting). */
export async function identityUnlockFor(home: string, window: IdentityWindow): Promise<WorkerUnlock | undefined> {
  const record = await applyIdentityStorage(home, window);
  if (record === undefined || record.form === 'plain') return undefined;
  if (record.form === 'os') {
    if (record.store !== window.store.name) return undefined; // the worker reaches the OS stores itself
    return { preloaded: { store: record.store, item: record.item, secret: await window.store.get(record.item) } };
  }
  const request: SecretRequest =
    record.form === 'pkcs11'
      ? { kind: 'pin', what: `The MemCloud identity key on token "${record.token.tokenLabel}"` }
      : { kind: 'passphrase', what: `The MemCloud identity key of ${home}` };
  return { secret: await window.ask(request) };
}
