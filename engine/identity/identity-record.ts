// The identity_key file's content, one typed and validated entry (docs/identity.md, "The file").
// Version 1 is the plain form: the seed itself. Version 2 is a protected form: the public key and
// where the secret is (an OS secret store's item and the seed wrapped under its key; scrypt
// parameters and the wrapped seed; a PKCS#11 token and key), never the plain seed. The file's
// schema is checked through api/json-file.ts; parseIdentityRecord then decodes what it holds.

import { parseJsonFile } from '../api/json-file';
import { and, is, literal, obj, refine, rule, str, tagged, type Schema } from '../api/schema';
import { decodeBase64urlExact, encodeBase64url } from './base64url';
import { DeviceIdentity, SECRET_KEY_BYTES } from './device-identity';
import { WRAP_NONCE_BYTES, WRAPPED_SEED_BYTES, type WrappedSeed } from './key-wrap';
import { SALT_BYTES, scryptParamFields, type ScryptParams } from './passphrase-kdf';
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
/** PKCS#11 labels are 32 bytes, padded; a key label has no fixed limit, ours stays short. */
const MAX_LABEL = 64;

/** Exactly `length` bytes in base64url text. */
const bytesText = (length: number): Schema<string> =>
  is((v): v is string => typeof v === 'string' && decodeBase64urlExact(v, length) !== undefined, `${length} bytes of base64url`);
const label = is((v): v is string => typeof v === 'string' && v.length <= MAX_LABEL && !/[\u0000-\u001f\u007f]/.test(v), `a label of at most ${MAX_LABEL} printable characters`);
const modulePath = is((v): v is string => typeof v === 'string' && v.length > 0 && v.length <= 4096 && !/[\u0000-\u001f]/.test(v), 'the path of a PKCS#11 module');

const commonFields = {
  type: rule(literal('ed25519'), '"type" must be "ed25519"'),
  publicKey: bytesText(PUBLIC_KEY_BYTES),
  createdAt: is((v): v is string => typeof v === 'string' && ISO_UTC.test(v) && !Number.isNaN(Date.parse(v)), 'an ISO 8601 UTC time'),
};
const wrappedSeedFields = { nonce: bytesText(WRAP_NONCE_BYTES), ciphertext: bytesText(WRAPPED_SEED_BYTES) };

const osProtection = refine(obj({ form: literal('os'), store: literal(...STORE_NAMES), item: str, ...wrappedSeedFields }, {}, 'strict'), (p) =>
  (p.store === 'dpapi' ? DPAPI_BLOB : ITEM_ID).test(p.item) ? undefined : '"protection.item" is not an item of that store',
);
const passphraseProtection = obj(
  { form: literal('passphrase'), kdf: rule(literal('scrypt'), '"protection.kdf" must be "scrypt"'), ...scryptParamFields, salt: bytesText(SALT_BYTES), ...wrappedSeedFields },
  {},
  'strict',
);
const pkcs11Protection = obj(
  { form: literal('pkcs11'), module: modulePath, tokenLabel: label, tokenSerial: label, keyId: rule(is((v): v is string => typeof v === 'string' && HEX_ID.test(v), 'hex'), '"protection.keyId" must be lower-case hex'), keyLabel: label },
  {},
  'strict',
);

/** identity_key, both versions: the plain seed (1) or where the protected seed is (2). */
const identityFile = tagged(
  {
    [PLAIN_FILE_VERSION]: obj({ version: literal(PLAIN_FILE_VERSION), ...commonFields, secretKey: bytesText(SECRET_KEY_BYTES) }, {}, 'strict'),
    [PROTECTED_FILE_VERSION]: obj(
      {
        version: literal(PROTECTED_FILE_VERSION),
        ...commonFields,
        protection: and(
          obj({}),
          tagged(
            { os: osProtection, passphrase: passphraseProtection, pkcs11: pkcs11Protection },
            { tag: 'form', unknown: () => '"protection.form" must be "os", "passphrase" or "pkcs11"' },
          ),
        ),
      },
      {},
      'strict',
    ),
  },
  {
    tag: 'version',
    unknown: (v) =>
      typeof v === 'number'
        ? `its version ${v} is not supported (expected ${PLAIN_FILE_VERSION} or ${PROTECTED_FILE_VERSION}; was it written by a newer MemCloud?)`
        : '"version" is missing',
  },
);

/** The record in `data`, or a description of what is wrong with it. */
export function parseIdentityRecord(data: Buffer): IdentityRecord | string {
  const file = parseJsonFile(data, identityFile);
  if (typeof file === 'string') return file;
  const publicKey = decodeBase64urlExact(file.publicKey, PUBLIC_KEY_BYTES)!;
  const common: Common = { publicKey, publicKeyText: encodeBase64url(publicKey), createdAt: file.createdAt };
  if (!('protection' in file)) {
    const secret = decodeBase64urlExact(file.secretKey, SECRET_KEY_BYTES)!;
    try {
      return { form: 'plain', ...common, identity: new DeviceIdentity(secret, common.createdAt, common.publicKey) };
    } catch {
      return '"publicKey" does not belong to "secretKey"';
    } finally {
      secret.fill(0);
    }
  }
  const p = file.protection;
  if (p.form === 'pkcs11') {
    const { module, tokenLabel, tokenSerial, keyId, keyLabel } = p;
    return { form: 'pkcs11', ...common, token: { module, tokenLabel, tokenSerial, keyId, keyLabel } };
  }
  const wrapped = { nonce: decodeBase64urlExact(p.nonce, WRAP_NONCE_BYTES)!, ciphertext: decodeBase64urlExact(p.ciphertext, WRAPPED_SEED_BYTES)! };
  if (p.form === 'os') return { form: 'os', ...common, store: p.store, item: p.item, wrapped };
  return { form: 'passphrase', ...common, kdf: { log2N: p.log2N, r: p.r, p: p.p, salt: decodeBase64urlExact(p.salt, SALT_BYTES)! }, wrapped };
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
