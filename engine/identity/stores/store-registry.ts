// Which secret store serves which name: the OS's own for `--protect os`, and the VS Code Secret
// Storage item handed in by the extension when the node runs inside VS Code.

import { ErrorCodes, MemCloudError } from '../../errors';
import type { StoreName } from '../identity-record';
import { DpapiStore } from './dpapi-store';
import { KeychainStore } from './keychain-store';
import { SecretServiceStore } from './secret-service-store';
import { itemMissing, type SecretStore } from './secret-store';

export type StoreResolver = (name: StoreName) => SecretStore;

/** The store `memcloud id --protect os` uses on this platform. */
export function platformStore(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): SecretStore {
  switch (platform) {
    case 'darwin':
      return new KeychainStore(env);
    case 'win32':
      return new DpapiStore(env);
    default:
      // Linux and the BSDs: any Secret Service provider on the session bus.
      return new SecretServiceStore(env);
  }
}

export const VSCODE_STORE_HINT =
  'It is wrapped by VS Code\'s Secret Storage, which only VS Code can open: start the node from VS Code, or in VS Code set ' +
  '"memcloud.identityKeyStorage" to "file" (the key then moves back to a plain file) and protect it from here.';

/** The OS stores by name; the VS Code store is reachable only through `preloaded`. */
export function defaultStores(env: NodeJS.ProcessEnv): StoreResolver {
  return (name) => {
    switch (name) {
      case 'secret-service':
        return new SecretServiceStore(env);
      case 'keychain':
        return new KeychainStore(env);
      case 'dpapi':
        return new DpapiStore(env);
      case 'vscode-secret-storage':
        throw new MemCloudError(ErrorCodes.KEY_STORE_UNAVAILABLE, `The identity key cannot be opened here. ${VSCODE_STORE_HINT}`);
    }
  };
}

/** A secret fetched ahead (by the VS Code extension host) for the engine worker, read-only. */
export interface PreloadedSecret {
  readonly store: StoreName;
  readonly item: string;
  readonly secret: Uint8Array;
}

export function withPreloaded(base: StoreResolver, preloaded: PreloadedSecret | undefined): StoreResolver {
  if (!preloaded) return base;
  const store: SecretStore = {
    name: preloaded.store,
    description: preloaded.store === 'vscode-secret-storage' ? 'VS Code\'s Secret Storage' : preloaded.store,
    put: () => Promise.reject(new MemCloudError(ErrorCodes.INTERNAL, 'a preloaded secret store is read-only')),
    async get(item) {
      if (item !== preloaded.item) throw itemMissing(store.description, item);
      return Uint8Array.from(preloaded.secret);
    },
    remove: () => Promise.reject(new MemCloudError(ErrorCodes.INTERNAL, 'a preloaded secret store is read-only')),
  };
  return (name) => (name === preloaded.store ? store : base(name));
}
