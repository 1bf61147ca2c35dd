// What opening a protected identity may need: a passphrase or a PIN (asked only when the form
// needs one: at a terminal, from a file descriptor, from a VS Code input box, or handed to the
// engine worker) and the secret stores.

import { ErrorCodes, MemCloudError } from '../errors';
import { defaultStores, type StoreResolver } from './stores/store-registry';

export type SecretKind = 'passphrase' | 'pin';

export interface SecretRequest {
  readonly kind: SecretKind;
  /** What it unlocks, for a prompt: `the identity key of /home/me/.memcloud`, `token "memcloud"`. */
  readonly what: string;
}

export interface IdentityUnlock {
  /** The passphrase or PIN as UTF-8 (the caller's copy is zeroed after use); absent: none can be given. */
  readonly secret?: (request: SecretRequest) => Promise<Uint8Array>;
  readonly stores: StoreResolver;
}

export function noSecretUnlock(env: NodeJS.ProcessEnv = process.env): IdentityUnlock {
  return { stores: defaultStores(env) };
}

/** A secret given ahead of time (a worker, a test): answers every request with a copy. */
export function fixedSecret(secret: Uint8Array): (request: SecretRequest) => Promise<Uint8Array> {
  return async () => Uint8Array.from(secret);
}

export async function askSecret(unlock: IdentityUnlock, request: SecretRequest): Promise<Uint8Array> {
  if (!unlock.secret) {
    const what = request.kind === 'pin' ? 'the token\'s PIN' : 'its passphrase';
    throw new MemCloudError(
      ErrorCodes.IDENTITY_LOCKED,
      `${request.what} needs ${what}, and there is no terminal to ask it at. Give it on a file descriptor ` +
        `(memcloud node run --${request.kind === 'pin' ? 'pin' : 'passphrase'}-fd N), or start the node from a terminal.`,
    );
  }
  return unlock.secret(request);
}
