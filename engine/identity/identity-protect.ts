// Moving the identity key between protection forms (plain, os, passphrase, pkcs11) without ever
// losing it: the new form is built and opened again through the same path a node start takes,
// and must give the very same key before the file is replaced (atomically); the file is read back
// and opened once more; only then is the old form's secret-store item removed.
// On a home without an identity, the identity is created directly in the chosen form.

import { randomBytes } from 'node:crypto';
import { ErrorCodes, MemCloudError } from '../errors';
import { writeFileAtomic } from '../home/atomic-file';
import { ensureHome } from '../home/home';
import { acquirePidLock } from '../home/node-lock';
import { homePaths } from '../home/paths';
import { encodePublicKey, publicKeysEqual } from './public-key';
import { DeviceIdentity } from './device-identity';
import { createIdentityFile, readIdentityRecord } from './identity-file';
import { openIdentity, sameSeed } from './identity-open';
import { plainRecord, serializeIdentityRecord, type IdentityForm, type IdentityRecord } from './identity-record';
import { fixedSecret, type IdentityUnlock } from './identity-unlock';
import { WRAP_KEY_BYTES, wrapAad, wrapSeed } from './key-wrap';
import { deriveKey, newScryptParams } from './passphrase-kdf';
import { TokenSession, unavailable, type TokenChoice } from './pkcs11/pkcs11-token';
import type { SecretStore } from './stores/secret-store';

export type ProtectTarget =
  | { readonly form: 'plain' }
  | { readonly form: 'os'; readonly store: SecretStore }
  | { readonly form: 'passphrase'; readonly newPassphrase: () => Promise<Uint8Array> }
  | { readonly form: 'pkcs11'; readonly token: TokenChoice; readonly keyLabel: string; readonly pin: () => Promise<Uint8Array> };

export interface ProtectResult {
  readonly from: IdentityForm | 'none';
  readonly record: IdentityRecord;
  /** Leftovers that could not be cleaned up (the move itself succeeded). */
  readonly warnings: readonly string[];
}

export const DEFAULT_KEY_LABEL = 'memcloud-identity';

/** Moves the identity of `home` to `target`; `unlock` opens its current form. */
export async function protectIdentity(home: string, target: ProtectTarget, unlock: IdentityUnlock): Promise<ProtectResult> {
  await ensureHome(home);
  const paths = homePaths(home);
  const lock = await acquirePidLock(paths.identityLock, (pid) =>
    new MemCloudError(ErrorCodes.IDENTITY_BUSY, `Another MemCloud process${pid ? ` (pid ${pid})` : ''} is changing how the identity key is kept. Wait for it, then try again.`),
  );
  try {
    const current = await readIdentityRecord(paths.identityKey);
    if (current === undefined) return { from: 'none', record: await createIn(paths.identityKey, target), warnings: [] };
    if (current.form === 'pkcs11') {
      throw new MemCloudError(
        ErrorCodes.BAD_ARGUMENT,
        `The identity key is on PKCS#11 token "${current.token.tokenLabel}" and was made so it can never leave it: it cannot move to another form. ` +
          'To stop using the token, move identity_key aside and create a new identity (every peer will then have to trust this device again).',
      );
    }
    if (alreadyIn(current, target)) return { from: current.form, record: current, warnings: [] };
    const identity = await openIdentity(current, unlock, paths.identityKey);
    const next = await build(identity, target, paths.identityKey);
    try {
      await writeFileAtomic(paths.identityKey, serializeIdentityRecord(next.record), 0o600);
    } catch (err) {
      await next.discard();
      throw new MemCloudError(ErrorCodes.HOME_UNUSABLE, `Could not write "${paths.identityKey}" (${(err as Error).message}). The identity is unchanged.`, { cause: err });
    }
    // Read back what is on disk now and open it as a node start would.
    const written = await readIdentityRecord(paths.identityKey);
    try {
      if (written === undefined) throw new MemCloudError(ErrorCodes.IDENTITY_CORRUPT, `"${paths.identityKey}" vanished right after it was written.`);
      await next.check(written);
    } catch (err) {
      // What is on disk does not open: put the old form back, which still opens (its item is kept).
      await writeFileAtomic(paths.identityKey, serializeIdentityRecord(current), 0o600);
      await next.discard();
      throw err;
    }
    return { from: current.form, record: written!, warnings: await removeOld(current, unlock) };
  } finally {
    await lock.release();
  }
}

function alreadyIn(current: IdentityRecord, target: ProtectTarget): boolean {
  if (current.form !== target.form || target.form === 'passphrase') return false; // passphrase again: a new passphrase
  return current.form !== 'os' || target.form !== 'os' || current.store === target.store.name;
}

interface Built {
  readonly record: IdentityRecord;
  /** Opens `record` (as read back) and checks it is the same key. */
  check(record: IdentityRecord): Promise<void>;
  /** Undoes what building did outside the file (a store item, a token key we imported). */
  discard(): Promise<void>;
}

async function build(identity: DeviceIdentity, target: ProtectTarget, path: string): Promise<Built> {
  const common = { publicKey: identity.publicKey, publicKeyText: identity.publicKeyText, createdAt: identity.createdAt };
  const verifyWith = async (record: IdentityRecord, unlock: IdentityUnlock, discard: () => Promise<void>): Promise<Built> => {
    const built: Built = {
      record,
      async check(r) {
        const opened = await openIdentity(r, unlock, path);
        const same = opened.externalSigner ? publicKeysEqual(opened.publicKey, identity.publicKey) : sameSeed(opened, identity);
        await opened.externalSigner?.close();
        if (!same) throw new MemCloudError(ErrorCodes.INTERNAL, 'the new form does not open to the same identity key');
      },
      discard,
    };
    try {
      await built.check(record); // before the file is touched
    } catch (err) {
      await discard();
      throw err;
    }
    return built;
  };
  const nothing = async (): Promise<void> => undefined;
  switch (target.form) {
    case 'plain':
      return verifyWith(plainRecord(identity), { stores: () => unreachable() }, nothing);
    case 'os': {
      const key = new Uint8Array(randomBytes(WRAP_KEY_BYTES));
      const seed = identity.exportSecretKeyForSigning();
      try {
        const item = await target.store.put(key, `MemCloud identity key (${identity.fingerprint})`);
        const record: IdentityRecord = { form: 'os', ...common, store: target.store.name, item, wrapped: wrapSeed(key, seed, wrapAad('os', identity.publicKeyText)) };
        return await verifyWith(record, { stores: () => target.store }, () => target.store.remove(item).catch(() => undefined));
      } finally {
        key.fill(0);
        seed.fill(0);
      }
    }
    case 'passphrase': {
      const passphrase = await target.newPassphrase();
      const kdf = newScryptParams();
      const seed = identity.exportSecretKeyForSigning();
      try {
        const key = await deriveKey(passphrase, kdf);
        const record: IdentityRecord = { form: 'passphrase', ...common, kdf, wrapped: wrapSeed(key, seed, wrapAad('passphrase', identity.publicKeyText)) };
        key.fill(0);
        // check() runs again on the written file: keep a copy of the passphrase only until then.
        const copy = Uint8Array.from(passphrase);
        const forget = async (): Promise<void> => void copy.fill(0);
        const built = await verifyWith(record, { secret: fixedSecret(copy), stores: () => unreachable() }, forget);
        return { ...built, check: (r) => built.check(r).finally(forget) };
      } finally {
        passphrase.fill(0);
        seed.fill(0);
      }
    }
    case 'pkcs11':
      return buildOnToken(identity, target, path);
  }
}

/**
 * The pkcs11 form of `identity` (its seed imported into the token, or adopted when the token has
 * it under that label already), or with identity null a new key generated on the token.
 */
async function buildOnToken(identity: DeviceIdentity | null, target: Extract<ProtectTarget, { form: 'pkcs11' }>, path: string): Promise<Built> {
  const pin = await target.pin();
  const pinCopy = Uint8Array.from(pin);
  const forget = async (): Promise<void> => void pinCopy.fill(0);
  let token: TokenSession;
  try {
    token = TokenSession.open(target.token, Buffer.from(pin).toString('utf8'));
  } catch (err) {
    await forget();
    throw err;
  } finally {
    pin.fill(0);
  }
  try {
    const { keyId, publicKey } = keyOnToken(token, identity, target.keyLabel);
    const record: IdentityRecord = {
      form: 'pkcs11',
      publicKey,
      publicKeyText: encodePublicKey(publicKey),
      createdAt: identity?.createdAt ?? new Date().toISOString(),
      token: token.locator(keyId, target.keyLabel),
    };
    const unlock: IdentityUnlock = { secret: fixedSecret(pinCopy), stores: () => unreachable() };
    const check = async (r: IdentityRecord): Promise<void> => {
      const opened = await openIdentity(r, unlock, path); // signs a challenge checked against publicKey
      await opened.externalSigner?.close();
      if (!publicKeysEqual(opened.publicKey, publicKey)) throw new MemCloudError(ErrorCodes.INTERNAL, 'the token key is not this identity');
    };
    await check(record);
    return { record, check: (r) => check(r).finally(forget), discard: forget };
  } catch (err) {
    await forget();
    throw err;
  } finally {
    token.close();
  }
}

function keyOnToken(token: TokenSession, identity: DeviceIdentity | null, label: string): { keyId: string; publicKey: Uint8Array } {
  const existing = token.findKeyIdByLabel(label);
  if (existing !== undefined) {
    const theirs = token.publicKeyOf(existing);
    if (!theirs) throw unavailable(`token key "${label}" has no public key object beside it`, 'Choose another label with --pkcs11-key-label.');
    if (identity && !publicKeysEqual(theirs, identity.publicKey)) {
      throw unavailable(`token "${token.tokenLabel}" already has another key labelled "${label}"`, 'Choose another label with --pkcs11-key-label.');
    }
    return { keyId: existing, publicKey: theirs }; // ours already, or a key made with the token's own tools
  }
  if (!identity) return token.generateKey(label);
  const seed = identity.exportSecretKeyForSigning();
  try {
    return { keyId: token.importKey(seed, identity.publicKey, label), publicKey: identity.publicKey };
  } finally {
    seed.fill(0);
  }
}

/** First use with a chosen form: the identity is born in it (on a token: generated there). */
async function createIn(path: string, target: ProtectTarget): Promise<IdentityRecord> {
  let built: Built;
  if (target.form === 'pkcs11') {
    built = await buildOnToken(null, target, path);
  } else {
    const identity = DeviceIdentity.generate();
    built = target.form === 'plain' ? { record: plainRecord(identity), check: async () => undefined, discard: async () => undefined } : await build(identity, target, path);
  }
  if (!(await createIdentityFile(path, built.record))) {
    await built.discard();
    throw new MemCloudError(ErrorCodes.IDENTITY_BUSY, `Another process created "${path}" meanwhile; run the command again to move that identity.`);
  }
  const written = await readIdentityRecord(path);
  if (written === undefined) throw new MemCloudError(ErrorCodes.IDENTITY_CORRUPT, `"${path}" vanished right after it was written.`);
  await built.check(written);
  return written;
}

async function removeOld(old: IdentityRecord, unlock: IdentityUnlock): Promise<string[]> {
  if (old.form !== 'os') return [];
  try {
    await unlock.stores(old.store).remove(old.item);
    return [];
  } catch (err) {
    return [`The old key item "${old.item}" could not be removed from ${old.store} (${(err as Error).message}); remove it by hand. It opens nothing without the old file.`];
  }
}

function unreachable(): never {
  throw new MemCloudError(ErrorCodes.INTERNAL, 'no secret store is needed here');
}
