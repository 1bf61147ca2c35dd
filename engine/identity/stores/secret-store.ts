// An OS secret store keeps the key that wraps the identity seed (docs/identity.md, "OS secret
// stores"). Each store is reached through its documented interface; the file records which store
// and which item, so that only this user, in this session, can unwrap the seed.

import { randomBytes } from 'node:crypto';
import { ErrorCodes, MemCloudError } from '../../errors';
import { ITEM_ID, type StoreName } from '../identity-record';

export interface SecretStore {
  readonly name: StoreName;
  /** For messages: "the Secret Service (libsecret) of this desktop session". */
  readonly description: string;
  /** Keeps `secret` (a 32-byte wrapping key) and returns the item that finds it again. */
  put(secret: Uint8Array, label: string): Promise<string>;
  /** The secret of `item`; throws IDENTITY_CORRUPT when the store has no such item. */
  get(item: string): Promise<Uint8Array>;
  /** Forgets `item`; an item already gone is fine. */
  remove(item: string): Promise<void>;
}

/**
 * A fresh item name for stores that name items: 16 random bytes, base64url (22 characters), never
 * starting with '-' (the stores' command-line tools would take it for an option).
 */
export function newItemId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (ITEM_ID.test(id)) return id;
  }
}

/** Secrets are kept as base64url text: every one of these stores handles text. */
export function secretText(secret: Uint8Array): string {
  return Buffer.from(secret.buffer, secret.byteOffset, secret.byteLength).toString('base64url');
}

/** The 32 bytes of a secret read back as text, or undefined if the text is not that. */
export function secretFromText(text: string): Uint8Array | undefined {
  const t = text.trim();
  if (!/^[A-Za-z0-9_-]{43}$/.test(t)) return undefined;
  const bytes = new Uint8Array(32);
  Buffer.from(bytes.buffer).write(t, 'base64url');
  return Buffer.from(bytes).toString('base64url') === t ? bytes : undefined;
}

export function storeUnavailable(store: string, problem: string, todo: string): MemCloudError {
  return new MemCloudError(ErrorCodes.KEY_STORE_UNAVAILABLE, `${store} cannot be used: ${problem}. ${todo}`);
}

export function itemMissing(store: string, item: string): MemCloudError {
  return new MemCloudError(
    ErrorCodes.IDENTITY_CORRUPT,
    `${store} has no item "${item}", which holds the key that wraps this device's identity key. ` +
      'MemCloud has not changed anything. Restore that item (or the keyring) from a backup; or, knowing that every peer will ' +
      'then have to trust this device again, move identity_key aside to create a new identity.',
  );
}

/** Strips control characters and bounds a tool's error text before it goes into a message. */
export function toolMessage(text: string): string {
  const t = text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').trim();
  return t.length > 300 ? `${t.slice(0, 300)}...` : t || 'no message';
}
