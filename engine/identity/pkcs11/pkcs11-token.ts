// One logged-in session on a PKCS#11 token: find the token by label and serial, log in with the
// user PIN, find, import or generate the Ed25519 identity key. The private key is created
// sensitive and not extractable: once on the token, it never leaves it.

import { randomBytes } from 'node:crypto';
import { ErrorCodes, MemCloudError } from '../../errors';
import type { Pkcs11Locator } from '../identity-record';
import { ckr, CKK_EC_EDWARDS, CKM_EC_EDWARDS_KEY_PAIR_GEN, constant, ED25519_EC_PARAMS, pkcs11js, type Attribute, type Handle, type Pkcs11Api } from './pkcs11-binding';

/** One initialized library per module path and thread: C_Initialize may run once per process. */
const libraries = new Map<string, Pkcs11Api>();

function library(module: string): Pkcs11Api {
  let lib = libraries.get(module);
  if (lib) return lib;
  const { PKCS11 } = pkcs11js();
  lib = new PKCS11();
  try {
    lib.load(module);
  } catch (err) {
    throw unavailable(`the PKCS#11 module "${module}" could not be loaded (${(err as Error).message.split('\n')[0]})`, 'Check the path given with --pkcs11-module (and that the token\'s middleware is installed).');
  }
  try {
    lib.C_Initialize();
  } catch (err) {
    // Another thread of this process (the CLI around the engine worker) initialized it already.
    if (ckr(err) !== 'CKR_CRYPTOKI_ALREADY_INITIALIZED') throw unavailable(`the PKCS#11 module "${module}" failed to start (${ckr(err) ?? (err as Error).message})`, 'Check the token and its middleware.');
  }
  // Never finalized: other threads of this process may use the same library state.
  libraries.set(module, lib);
  return lib;
}

export function unavailable(problem: string, todo: string): MemCloudError {
  return new MemCloudError(ErrorCodes.KEY_STORE_UNAVAILABLE, `The PKCS#11 token cannot be used: ${problem}. ${todo}`);
}

const trimmed = (s: string): string => s.replace(/[\s\u0000]+$/, '');

/** The public key inside CKA_EC_POINT: a DER OCTET STRING (04 20 ...) per PKCS#11 3.0, raw on some tokens. */
export function ecPointKey(point: Buffer): Uint8Array | undefined {
  if (point.length === 34 && point[0] === 0x04 && point[1] === 0x20) return new Uint8Array(point.subarray(2));
  if (point.length === 32) return new Uint8Array(point);
  return undefined;
}

export interface TokenChoice {
  readonly module: string;
  readonly tokenLabel: string;
  /** Empty: the only token with that label. */
  readonly tokenSerial?: string;
}

export class TokenSession {
  private closed = false;

  private constructor(
    readonly lib: Pkcs11Api,
    readonly session: Handle,
    readonly module: string,
    readonly tokenLabel: string,
    readonly tokenSerial: string,
  ) {}

  /** Opens a read-write session on the token and logs in with `pin`. */
  static open(choice: TokenChoice, pin: string): TokenSession {
    const lib = library(choice.module);
    const matches = lib.C_GetSlotList(true).flatMap((slot) => {
      const info = lib.C_GetTokenInfo(slot);
      const label = trimmed(info.label);
      const serial = trimmed(info.serialNumber);
      if (label !== choice.tokenLabel) return [];
      if (choice.tokenSerial && serial !== choice.tokenSerial) return [];
      return [{ slot, serial }];
    });
    if (matches.length === 0) {
      throw unavailable(
        `no token labelled "${choice.tokenLabel}"${choice.tokenSerial ? ` with serial ${choice.tokenSerial}` : ''} is present`,
        'Insert the token (or check its label), then try again.',
      );
    }
    if (matches.length > 1) throw unavailable(`${matches.length} tokens are labelled "${choice.tokenLabel}"`, 'Give each token its own label.');
    const { slot, serial } = matches[0]!;
    const session = lib.C_OpenSession(slot, constant('CKF_RW_SESSION') | constant('CKF_SERIAL_SESSION'));
    try {
      lib.C_Login(session, constant('CKU_USER'), pin);
    } catch (err) {
      const code = ckr(err);
      // Login is per application: another session of this process logged in already.
      if (code === 'CKR_USER_ALREADY_LOGGED_IN') return new TokenSession(lib, session, choice.module, choice.tokenLabel, serial);
      lib.C_CloseSession(session);
      if (code === 'CKR_PIN_INCORRECT' || code === 'CKR_PIN_LEN_RANGE') {
        throw new MemCloudError(ErrorCodes.IDENTITY_WRONG_PASSPHRASE, `The PIN of token "${choice.tokenLabel}" is wrong. Try again with the token's user PIN (too many wrong PINs lock the token).`);
      }
      if (code === 'CKR_PIN_LOCKED') throw unavailable(`the PIN of token "${choice.tokenLabel}" is locked after too many wrong tries`, 'Unblock it with the token\'s tools and its security officer PIN or PUK.');
      throw unavailable(`logging in to "${choice.tokenLabel}" failed (${code ?? (err as Error).message})`, 'Check the token.');
    }
    return new TokenSession(lib, session, choice.module, choice.tokenLabel, serial);
  }

  /** The Ed25519 private key with CKA_ID `keyId`, or undefined. */
  findPrivateKey(keyId: string): Handle | undefined {
    return this.find([
      { type: constant('CKA_CLASS'), value: constant('CKO_PRIVATE_KEY') },
      { type: constant('CKA_KEY_TYPE'), value: CKK_EC_EDWARDS },
      { type: constant('CKA_ID'), value: Buffer.from(keyId, 'hex') },
    ]);
  }

  /** The Ed25519 key pair labelled `label`: its CKA_ID, or undefined. */
  findKeyIdByLabel(label: string): string | undefined {
    const key = this.find([
      { type: constant('CKA_CLASS'), value: constant('CKO_PRIVATE_KEY') },
      { type: constant('CKA_KEY_TYPE'), value: CKK_EC_EDWARDS },
      { type: constant('CKA_LABEL'), value: label },
    ]);
    if (!key) return undefined;
    const [id] = this.lib.C_GetAttributeValue(this.session, key, [{ type: constant('CKA_ID') }]);
    return Buffer.isBuffer(id?.value) ? id.value.toString('hex') : undefined;
  }

  /** The public key stored beside the private key (CKA_EC_POINT), if the token has one. */
  publicKeyOf(keyId: string): Uint8Array | undefined {
    const pub = this.find([
      { type: constant('CKA_CLASS'), value: constant('CKO_PUBLIC_KEY') },
      { type: constant('CKA_KEY_TYPE'), value: CKK_EC_EDWARDS },
      { type: constant('CKA_ID'), value: Buffer.from(keyId, 'hex') },
    ]);
    if (!pub) return undefined;
    const [point] = this.lib.C_GetAttributeValue(this.session, pub, [{ type: constant('CKA_EC_POINT') }]);
    return Buffer.isBuffer(point?.value) ? ecPointKey(point.value) : undefined;
  }

  /** Imports `seed` as a sensitive, non-extractable Ed25519 key pair; returns its new CKA_ID. */
  importKey(seed: Uint8Array, publicKey: Uint8Array, label: string): string {
    const id = randomBytes(8);
    const common = this.keyAttributes(id, label);
    const value = Buffer.from(seed);
    try {
      const priv = this.lib.C_CreateObject(this.session, [
        ...common,
        { type: constant('CKA_CLASS'), value: constant('CKO_PRIVATE_KEY') },
        ...this.privateFlags(),
        { type: constant('CKA_VALUE'), value },
      ]);
      try {
        this.lib.C_CreateObject(this.session, [
          ...common,
          { type: constant('CKA_CLASS'), value: constant('CKO_PUBLIC_KEY') },
          { type: constant('CKA_VERIFY'), value: true },
          { type: constant('CKA_EC_POINT'), value: Buffer.concat([Buffer.from([0x04, 0x20]), Buffer.from(publicKey)]) },
        ]);
      } catch (err) {
        this.lib.C_DestroyObject(this.session, priv);
        throw err;
      }
    } catch (err) {
      throw unavailable(`importing the key failed (${ckr(err) ?? (err as Error).message})`, 'Check that the token supports Ed25519 keys (CKK_EC_EDWARDS) and has room.');
    } finally {
      value.fill(0);
    }
    return id.toString('hex');
  }

  /** Generates a new key pair on the token (a new identity); returns its CKA_ID and public key. */
  generateKey(label: string): { keyId: string; publicKey: Uint8Array } {
    const id = randomBytes(8);
    // The mechanism sets the key type, and the curve goes in the public template only: tokens
    // refuse either elsewhere in a generation template (CKR_ATTRIBUTE_READ_ONLY).
    const common = this.keyAttributes(id, label).filter((a) => a.type !== constant('CKA_KEY_TYPE') && a.type !== constant('CKA_EC_PARAMS'));
    try {
      const pair = this.lib.C_GenerateKeyPair(
        this.session,
        { mechanism: CKM_EC_EDWARDS_KEY_PAIR_GEN },
        [...common, { type: constant('CKA_EC_PARAMS'), value: ED25519_EC_PARAMS }, { type: constant('CKA_VERIFY'), value: true }],
        [...common, ...this.privateFlags()],
      );
      const [point] = this.lib.C_GetAttributeValue(this.session, pair.publicKey, [{ type: constant('CKA_EC_POINT') }]);
      const publicKey = Buffer.isBuffer(point?.value) ? ecPointKey(point.value) : undefined;
      if (!publicKey) throw new Error('the token returned no Ed25519 public key');
      return { keyId: id.toString('hex'), publicKey };
    } catch (err) {
      if (err instanceof MemCloudError) throw err;
      throw unavailable(`generating an Ed25519 key failed (${ckr(err) ?? (err as Error).message})`, 'Check that the token supports Ed25519 (CKM_EC_EDWARDS_KEY_PAIR_GEN).');
    }
  }

  locator(keyId: string, keyLabel: string): Pkcs11Locator {
    return { module: this.module, tokenLabel: this.tokenLabel, tokenSerial: this.tokenSerial, keyId, keyLabel };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.lib.C_CloseSession(this.session);
    } catch {
      // The token went away: nothing left to close.
    }
  }

  private keyAttributes(id: Buffer, label: string): Attribute[] {
    return [
      { type: constant('CKA_KEY_TYPE'), value: CKK_EC_EDWARDS },
      { type: constant('CKA_TOKEN'), value: true },
      { type: constant('CKA_ID'), value: id },
      { type: constant('CKA_LABEL'), value: label },
      { type: constant('CKA_EC_PARAMS'), value: ED25519_EC_PARAMS },
    ];
  }

  private privateFlags(): Attribute[] {
    return [
      { type: constant('CKA_PRIVATE'), value: true },
      { type: constant('CKA_SENSITIVE'), value: true },
      { type: constant('CKA_EXTRACTABLE'), value: false },
      { type: constant('CKA_SIGN'), value: true },
    ];
  }

  private find(template: Attribute[]): Handle | undefined {
    this.lib.C_FindObjectsInit(this.session, template);
    try {
      const [first] = this.lib.C_FindObjects(this.session, 1);
      return first;
    } finally {
      this.lib.C_FindObjectsFinal(this.session);
    }
  }
}
