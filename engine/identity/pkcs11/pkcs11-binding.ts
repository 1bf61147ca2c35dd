// The PKCS#11 binding, loaded only when an identity key is on a token: pkcs11js (PeculiarVentures,
// N-API, so it loads in worker threads too) is an optional dependency, and nothing else in MemCloud
// depends on it. The types below are the few calls we make, so the build does not need the package.

import { createRequire } from 'node:module';
import { ErrorCodes, MemCloudError } from '../../errors';

// PKCS#11 3.0 values for Ed25519 (not in pkcs11js's 2.40 constant table).
export const CKK_EC_EDWARDS = 0x40;
export const CKM_EC_EDWARDS_KEY_PAIR_GEN = 0x1055;
export const CKM_EDDSA = 0x1057;
/** DER of the Ed25519 OID 1.3.101.112, the CKA_EC_PARAMS of an Ed25519 key (PKCS#11 3.0 2.3.5). */
export const ED25519_EC_PARAMS = Buffer.from('06032b6570', 'hex');

export type Handle = Buffer;
export interface Attribute {
  type: number;
  value?: number | boolean | string | Buffer;
}

export interface Pkcs11Api {
  load(path: string): void;
  C_Initialize(): void;
  C_GetSlotList(tokenPresent: boolean): Handle[];
  C_GetTokenInfo(slot: Handle): { label: string; serialNumber: string; flags: number };
  C_GetMechanismList(slot: Handle): number[];
  C_OpenSession(slot: Handle, flags: number): Handle;
  C_CloseSession(session: Handle): void;
  C_Login(session: Handle, userType: number, pin?: string): void;
  C_FindObjectsInit(session: Handle, template: Attribute[]): void;
  C_FindObjects(session: Handle, max: number): Handle[];
  C_FindObjectsFinal(session: Handle): void;
  C_GetAttributeValue(session: Handle, object: Handle, template: Attribute[]): Attribute[];
  C_CreateObject(session: Handle, template: Attribute[]): Handle;
  C_DestroyObject(session: Handle, object: Handle): void;
  C_GenerateKeyPair(session: Handle, mechanism: { mechanism: number }, publicTemplate: Attribute[], privateTemplate: Attribute[]): { publicKey: Handle; privateKey: Handle };
  C_SignInit(session: Handle, mechanism: { mechanism: number }, key: Handle): void;
  C_SignAsync(session: Handle, data: Buffer, out: Buffer): Promise<Buffer>;
}

export interface Pkcs11Module {
  PKCS11: new () => Pkcs11Api;
  readonly [constant: string]: unknown;
}

let loaded: Pkcs11Module | null = null;

/** pkcs11js, or a clear error saying how to get it. */
export function pkcs11js(): Pkcs11Module {
  if (loaded) return loaded;
  try {
    loaded = createRequire(__filename)('pkcs11js') as Pkcs11Module;
  } catch (err) {
    throw new MemCloudError(
      ErrorCodes.KEY_STORE_UNAVAILABLE,
      `PKCS#11 support is not installed (the optional package pkcs11js could not be loaded: ${(err as Error).message.split('\n')[0]}). ` +
        'Install it where MemCloud is installed (npm install pkcs11js; it builds with python3, make and a C++ compiler).',
      { cause: err },
    );
  }
  return loaded;
}

/** A numeric constant of pkcs11js (CKA_*, CKO_*, CKF_*, CKU_*). */
export function constant(name: string): number {
  const v = pkcs11js()[name];
  if (typeof v !== 'number') throw new Error(`pkcs11js has no constant ${name}`);
  return v;
}

/** The CKR_* name in a pkcs11js error ("CKR_PIN_INCORRECT"), if any. */
export function ckr(err: unknown): string | undefined {
  const m = /CKR_[A-Z_]+/.exec(err instanceof Error ? err.message : String(err));
  return m?.[0];
}
