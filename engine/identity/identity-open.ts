// Opening an identity record into a DeviceIdentity: unwrapping the seed with the key an OS store
// keeps or a passphrase derives, or logging in to the token that holds it. Every path checks that
// what it got is the identity the file names (its public key); anything else fails closed.

import { randomBytes, timingSafeEqual } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import { ErrorCodes, MemCloudError } from '../errors';
import { DeviceIdentity } from './device-identity';
import type { IdentityRecord } from './identity-record';
import { askSecret, type IdentityUnlock } from './identity-unlock';
import { unwrapSeed, wrapAad, type WrappedSeed } from './key-wrap';
import { deriveKey } from './passphrase-kdf';
import { Pkcs11Signer } from './pkcs11/pkcs11-signer';
import { TokenSession, unavailable } from './pkcs11/pkcs11-token';

/** `where` names the file in messages. */
export async function openIdentity(record: IdentityRecord, unlock: IdentityUnlock, where: string): Promise<DeviceIdentity> {
  switch (record.form) {
    case 'plain':
      return record.identity;
    case 'os': {
      const store = unlock.stores(record.store);
      const key = await store.get(record.item);
      const seed = unwrapWith(key, record.wrapped, record);
      if (!seed) {
        throw new MemCloudError(
          ErrorCodes.IDENTITY_CORRUPT,
          `Identity file "${where}" does not open with the key in ${store.description} (item "${record.item}"): the file or the item was changed. ` +
            'MemCloud has not changed either. Restore the file from a backup; or move it aside to create a new identity, knowing that every peer will then have to trust this device again.',
        );
      }
      return fromSeed(seed, record);
    }
    case 'passphrase': {
      const passphrase = await askSecret(unlock, { kind: 'passphrase', what: `The identity key in "${where}"` });
      let key: Uint8Array;
      try {
        key = await deriveKey(passphrase, record.kdf);
      } finally {
        passphrase.fill(0);
      }
      const seed = unwrapWith(key, record.wrapped, record);
      if (!seed) {
        throw new MemCloudError(
          ErrorCodes.IDENTITY_WRONG_PASSPHRASE,
          `Wrong passphrase for the identity key in "${where}" (or the file was altered). Nothing was changed: try again with the passphrase you chose.`,
        );
      }
      return fromSeed(seed, record);
    }
    case 'pkcs11': {
      const pin = await askSecret(unlock, { kind: 'pin', what: `The identity key on token "${record.token.tokenLabel}"` });
      let token: TokenSession;
      try {
        token = TokenSession.open(record.token, Buffer.from(pin).toString('utf8'));
      } finally {
        pin.fill(0);
      }
      try {
        const key = token.findPrivateKey(record.token.keyId);
        if (!key) {
          throw unavailable(
            `token "${record.token.tokenLabel}" has no Ed25519 key with id ${record.token.keyId} (named in "${where}")`,
            'Insert the token that holds this identity; if the key was deleted, the identity is gone and a new one must be created.',
          );
        }
        const signer = new Pkcs11Signer(token, key, record.publicKey);
        await checkSigner(signer, record.publicKey, where);
        return new DeviceIdentity(signer, record.createdAt);
      } catch (err) {
        token.close();
        throw err;
      }
    }
  }
}

function unwrapWith(key: Uint8Array, wrapped: WrappedSeed, record: IdentityRecord): Uint8Array | undefined {
  try {
    return unwrapSeed(key, wrapped, wrapAad(record.form, record.publicKeyText));
  } finally {
    key.fill(0);
  }
}

function fromSeed(seed: Uint8Array, record: IdentityRecord): DeviceIdentity {
  try {
    return new DeviceIdentity(seed, record.createdAt, record.publicKey);
  } catch {
    // The tag verified, so this is a file whose public key was swapped for another: fail closed.
    throw new MemCloudError(ErrorCodes.IDENTITY_CORRUPT, 'The unwrapped identity key does not match the public key of its file. MemCloud has not changed anything.');
  } finally {
    seed.fill(0);
  }
}

/** A token key is ours when it signs a fresh challenge that verifies under the file's public key. */
async function checkSigner(signer: Pkcs11Signer, publicKey: Uint8Array, where: string): Promise<void> {
  const challenge = randomBytes(32);
  const signature = await signer.sign(challenge);
  if (!ed25519.verify(signature, challenge, publicKey)) {
    throw new MemCloudError(
      ErrorCodes.IDENTITY_CORRUPT,
      `The token key named in "${where}" does not sign for the identity's public key: the file or the token was changed. MemCloud has not changed anything.`,
    );
  }
}

/** True when two identities hold the same seed (constant time); for moves between forms. */
export function sameSeed(a: DeviceIdentity, b: DeviceIdentity): boolean {
  if (a.externalSigner || b.externalSigner) return false;
  const x = a.exportSecretKeyForSigning();
  const y = b.exportSecretKeyForSigning();
  try {
    return timingSafeEqual(x, y);
  } finally {
    x.fill(0);
    y.fill(0);
  }
}
