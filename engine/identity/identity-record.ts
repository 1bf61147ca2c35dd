// The identity_key file's content, one typed and validated entry (docs/identity.md, "The file").
// Version 1 is the plain form: the seed itself. Version 2 is a protected form: the public key and
// where the secret is (an OS secret store's item and the seed wrapped under its key; scrypt
// parameters and the wrapped seed; a PKCS#11 token and key), never the plain seed.

import { decodeBase64urlExact, encodeBase64url } from './base64url';
import { DeviceIdentity, SECRET_KEY_BYTES } from './device-identity';
import { WRAP_NONCE_BYTES, WRAPPED_SEED_BYTES, type WrappedSeed } from './key-wrap';
import { checkScryptParams, SALT_BYTES, type ScryptParams } from './passphrase-kdf';
import { PUBLIC_KEY_BYTES } from './public-key';

export const PLAIN_FILE_VERSION = 1;
export const PROTECTED_FILE_VERSION = 2;
export const MAX_IDENTITY_FILE_BYTES = 4096;

export const IDENTITY_FORMS = ['plain', 'os', 'passphrase', 'pkcs11'] as const;
export type IdentityForm = (typeof IDENTITY_FORMS)[number];
export const STORE_NAMES = ['secret-service', 'keychain', 'dpapi', 'vscode-secret-storage'] as const;
export type StoreName = (typeof STORE_NAMES)[number];
/** The shape of an item name a secret store gets from us (stores/secret-store.ts), checked again when the file is read. */
export const ITEM_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{21}$/;

/** Where a PKCS#11 key is: the module to load, the token, the key object. */
export interface Pkcs11Locator {
  /** Absolute path of the PKCS#11 module (e.g. /usr/lib/softhsm/libsofthsm2.so). */
  readonly module: string;
  readonly tokenLabel: string;
  readonly tokenSerial: string;
  /** CKA_ID of the key pair, hex. */
  readonly keyId: string;
  readonly keyLabel: string;
}

interface Common {
  readonly publicKey: Uint8Array;
  readonly publicKeyText: string;
  readonly createdAt: string;
}

export type IdentityRecord =
  | (Common & { readonly form: 'plain'; readonly identity: DeviceIdentity })
  | (Common & { readonly form: 'os'; readonly store: StoreName; readonly item: string; readonly wrapped: WrappedSeed })
  | (Common & { readonly form: 'passphrase'; readonly kdf: ScryptParams; readonly wrapped: WrappedSeed })
  | (Common & { readonly form: 'pkcs11'; readonly token: Pkcs11Locator });

export type ProtectedRecord = Exclude<IdentityRecord, { form: 'plain' }>;

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const DPAPI_BLOB = /^[A-Za-z0-9_-]{40,2048}$/;
const HEX_ID = /^(?:[0-9a-f]{2}){1,64}$/;
const PLAIN_KEYS = ['version', 'type', 'secretKey', 'publicKey', 'createdAt'];
const PROTECTED_KEYS = ['version', 'type', 'publicKey', 'createdAt', 'protection'];
const PROTECTION_KEYS: Record<Exclude<IdentityForm, 'plain'>, string[]> = {
  os: ['form', 'store', 'item', 'nonce', 'ciphertext'],
  passphrase: ['form', 'kdf', 'log2N', 'r', 'p', 'salt', 'nonce', 'ciphertext'],
  pkcs11: ['form', 'module', 'tokenLabel', 'tokenSerial', 'keyId', 'keyLabel'],
};
/** PKCS#11 labels are 32 bytes, padded; a key label has no fixed limit, ours stays short. */
const MAX_LABEL = 64;

function unexpectedKey(obj: Record<string, unknown>, allowed: readonly string[], where = ''): string | undefined {
  const k = Object.keys(obj).find((key) => !allowed.includes(key));
  return k === undefined ? undefined : `it has an unexpected field "${where}${k}"`;
}

function bytesField(obj: Record<string, unknown>, name: string, length: number, where = ''): Uint8Array | string {
  const v = obj[name];
  const bytes = typeof v === 'string' ? decodeBase64urlExact(v, length) : undefined;
  return bytes ?? `"${where}${name}" must be ${length} bytes of base64url`;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The record in `data`, or a description of what is wrong with it. */
export function parseIdentityRecord(data: Buffer): IdentityRecord | string {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(data));
  } catch {
    return 'it is not valid JSON';
  }
  if (!isObject(json)) return 'it is not a JSON object';
  if (typeof json.version !== 'number') return '"version" is missing';
  if (json.version === PLAIN_FILE_VERSION) return parsePlain(json);
  if (json.version === PROTECTED_FILE_VERSION) return parseProtected(json);
  return `its version ${json.version} is not supported (expected ${PLAIN_FILE_VERSION} or ${PROTECTED_FILE_VERSION}; was it written by a newer MemCloud?)`;
}

function parseCommon(obj: Record<string, unknown>): Common | string {
  if (obj.type !== 'ed25519') return '"type" must be "ed25519"';
  const publicKey = bytesField(obj, 'publicKey', PUBLIC_KEY_BYTES);
  if (typeof publicKey === 'string') return publicKey;
  const createdAt = obj.createdAt;
  if (typeof createdAt !== 'string' || !ISO_UTC.test(createdAt) || Number.isNaN(Date.parse(createdAt))) {
    return '"createdAt" must be an ISO 8601 UTC time';
  }
  return { publicKey, publicKeyText: encodeBase64url(publicKey), createdAt };
}

function parsePlain(obj: Record<string, unknown>): IdentityRecord | string {
  const unknown = unexpectedKey(obj, PLAIN_KEYS);
  if (unknown) return unknown;
  if (obj.type !== 'ed25519') return '"type" must be "ed25519"';
  const secret = bytesField(obj, 'secretKey', SECRET_KEY_BYTES);
  if (typeof secret === 'string') return secret;
  try {
    const common = parseCommon(obj);
    if (typeof common === 'string') return common;
    try {
      return { form: 'plain', ...common, identity: new DeviceIdentity(secret, common.createdAt, common.publicKey) };
    } catch {
      return '"publicKey" does not belong to "secretKey"';
    }
  } finally {
    secret.fill(0);
  }
}

function parseProtected(obj: Record<string, unknown>): IdentityRecord | string {
  const unknown = unexpectedKey(obj, PROTECTED_KEYS);
  if (unknown) return unknown;
  const common = parseCommon(obj);
  if (typeof common === 'string') return common;
  const p = obj.protection;
  if (!isObject(p)) return '"protection" must be an object';
  const form = p.form;
  if (form !== 'os' && form !== 'passphrase' && form !== 'pkcs11') return '"protection.form" must be "os", "passphrase" or "pkcs11"';
  const unknownInner = unexpectedKey(p, PROTECTION_KEYS[form], 'protection.');
  if (unknownInner) return unknownInner;
  if (form === 'pkcs11') {
    const token = parseLocator(p);
    return typeof token === 'string' ? token : { form, ...common, token };
  }
  const nonce = bytesField(p, 'nonce', WRAP_NONCE_BYTES, 'protection.');
  if (typeof nonce === 'string') return nonce;
  const ciphertext = bytesField(p, 'ciphertext', WRAPPED_SEED_BYTES, 'protection.');
  if (typeof ciphertext === 'string') return ciphertext;
  const wrapped = { nonce, ciphertext };
  if (form === 'os') {
    const store = p.store;
    if (typeof store !== 'string' || !(STORE_NAMES as readonly string[]).includes(store)) return `"protection.store" must be one of ${STORE_NAMES.join(', ')}`;
    const item = p.item;
    const shape = store === 'dpapi' ? DPAPI_BLOB : ITEM_ID;
    if (typeof item !== 'string' || !shape.test(item)) return '"protection.item" is not an item of that store';
    return { form, ...common, store: store as StoreName, item, wrapped };
  }
  if (p.kdf !== 'scrypt') return '"protection.kdf" must be "scrypt"';
  const bad = checkScryptParams({ log2N: p.log2N, r: p.r, p: p.p });
  if (bad) return bad.replace('"', '"protection.');
  const salt = bytesField(p, 'salt', SALT_BYTES, 'protection.');
  if (typeof salt === 'string') return salt;
  return { form, ...common, kdf: { log2N: p.log2N as number, r: p.r as number, p: p.p as number, salt }, wrapped };
}

function parseLocator(p: Record<string, unknown>): Pkcs11Locator | string {
  const { module, tokenLabel, tokenSerial, keyId, keyLabel } = p;
  if (typeof module !== 'string' || module.length === 0 || module.length > 4096 || /[\u0000-\u001f]/.test(module)) return '"protection.module" must be the path of a PKCS#11 module';
  for (const [name, v] of [['tokenLabel', tokenLabel], ['tokenSerial', tokenSerial], ['keyLabel', keyLabel]] as const) {
    if (typeof v !== 'string' || v.length > MAX_LABEL || /[\u0000-\u001f\u007f]/.test(v)) return `"protection.${name}" must be a label of at most ${MAX_LABEL} printable characters`;
  }
  if (typeof keyId !== 'string' || !HEX_ID.test(keyId)) return '"protection.keyId" must be lower-case hex';
  return { module, tokenLabel: tokenLabel as string, tokenSerial: tokenSerial as string, keyId, keyLabel: keyLabel as string };
}

export function serializeIdentityRecord(record: IdentityRecord): string {
  const common = { type: 'ed25519', publicKey: record.publicKeyText, createdAt: record.createdAt };
  let file: object;
  switch (record.form) {
    case 'plain': {
      const secret = record.identity.exportSecretKeyForSigning();
      try {
        file = { version: PLAIN_FILE_VERSION, type: 'ed25519', secretKey: encodeBase64url(secret), publicKey: record.publicKeyText, createdAt: record.createdAt };
        return JSON.stringify(file, null, 2) + '\n';
      } finally {
        secret.fill(0);
      }
    }
    case 'os':
      file = { version: PROTECTED_FILE_VERSION, ...common, protection: { form: 'os', store: record.store, item: record.item, ...wrappedFields(record.wrapped) } };
      break;
    case 'passphrase': {
      const { log2N, r, p, salt } = record.kdf;
      file = {
        version: PROTECTED_FILE_VERSION,
        ...common,
        protection: { form: 'passphrase', kdf: 'scrypt', log2N, r, p, salt: encodeBase64url(salt), ...wrappedFields(record.wrapped) },
      };
      break;
    }
    case 'pkcs11':
      file = { version: PROTECTED_FILE_VERSION, ...common, protection: { form: 'pkcs11', ...record.token } };
      break;
  }
  return JSON.stringify(file, null, 2) + '\n';
}

function wrappedFields(w: WrappedSeed): { nonce: string; ciphertext: string } {
  return { nonce: encodeBase64url(w.nonce), ciphertext: encodeBase64url(w.ciphertext) };
}

/** A plain record for an identity whose seed is in memory. */
export function plainRecord(identity: DeviceIdentity): IdentityRecord {
  return { form: 'plain', publicKey: identity.publicKey, publicKeyText: identity.publicKeyText, createdAt: identity.createdAt, identity };
}
