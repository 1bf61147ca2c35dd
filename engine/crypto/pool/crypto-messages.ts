// The crypto work boundary: task messages (engine -> pool worker), their replies, and the one
// validator both sides run. Byte fields are Uint8Array views; the pool packs them into one
// transferred ArrayBuffer per task, so views survive the hop without another copy.
import { ErrorCodes, MemCloudError, type ErrorPayload } from '../../errors';
import { CRYPTO_BACKENDS, type CryptoBackendName } from '../backend-name';
import { backendAvailable } from '../backends';
import { DH_LENGTH, KEY_LENGTH, MAX_ASSOCIATED_DATA, MAX_NOISE_MESSAGE, MAX_SEALED_PLAINTEXT, MAX_SIGNED_MESSAGE, SIGNATURE_LENGTH } from '../constants';

export type { CryptoBackendName } from '../backend-name';

/** Bounds that keep one task from monopolising a worker or memory (16 MiB, 4096 records). */
export const MAX_BATCH_RECORDS = 4096;
export const MAX_BATCH_BYTES = 16 * 1024 * 1024;
export const MAX_ASYM_OPS = 256;

export type AsymOp =
  | { readonly op: 'x25519-keypair' }
  | { readonly op: 'x25519-dh'; readonly secretKey: Uint8Array; readonly publicKey: Uint8Array }
  | { readonly op: 'ed25519-sign'; readonly secretKey: Uint8Array; readonly message: Uint8Array }
  | { readonly op: 'ed25519-verify'; readonly publicKey: Uint8Array; readonly message: Uint8Array; readonly signature: Uint8Array };

export type AsymResult =
  | { readonly op: 'x25519-keypair'; readonly secretKey: Uint8Array; readonly publicKey: Uint8Array }
  | { readonly op: 'x25519-dh'; readonly sharedSecret: Uint8Array }
  | { readonly op: 'ed25519-sign'; readonly signature: Uint8Array }
  | { readonly op: 'ed25519-verify'; readonly valid: boolean };

/**
 * With `adPrefix`, record i's associated data is adPrefix || (nonce + i):u32 BE (how sealed blocks
 * bind their identity and piece index, docs/protocol.md 7.4); without it, records have none.
 */
export type CryptoTask =
  | { readonly kind: 'seal'; readonly backend: CryptoBackendName; readonly key: Uint8Array; readonly nonce: number; readonly records: readonly Uint8Array[]; readonly adPrefix?: Uint8Array }
  | { readonly kind: 'open'; readonly backend: CryptoBackendName; readonly key: Uint8Array; readonly nonce: number; readonly records: readonly Uint8Array[]; readonly adPrefix?: Uint8Array }
  | { readonly kind: 'asym'; readonly backend: CryptoBackendName; readonly ops: readonly AsymOp[] };

/** Opening a batch either yields every plaintext or names the first record that failed. */
export type OpenBatchResult =
  | { readonly ok: true; readonly plaintexts: Uint8Array[] }
  | { readonly ok: false; readonly failedAt: number };

export type CryptoReply =
  | { readonly ok: true; readonly kind: 'seal'; readonly records: Uint8Array[] }
  | { readonly ok: true; readonly kind: 'open'; readonly result: OpenBatchResult }
  | { readonly ok: true; readonly kind: 'asym'; readonly results: AsymResult[] }
  | { readonly ok: false; readonly error: ErrorPayload };

/** The operations both front-ends (same thread, piscina pool) offer, with one signature. */
export interface CryptoOps {
  seal(backend: CryptoBackendName, key: Uint8Array, nonce: number, records: readonly Uint8Array[], adPrefix?: Uint8Array): Promise<Uint8Array[]>;
  open(backend: CryptoBackendName, key: Uint8Array, nonce: number, records: readonly Uint8Array[], adPrefix?: Uint8Array): Promise<OpenBatchResult>;
  asym(backend: CryptoBackendName, ops: readonly AsymOp[]): Promise<AsymResult[]>;
}

function bad(message: string): MemCloudError {
  return new MemCloudError(ErrorCodes.BAD_ARGUMENT, message);
}

/** Names a bad value without echoing much of it (it may be large, or not JSON at all). */
function describe(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v.slice(0, 40)) : typeof v;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

function checkBytes(v: unknown, name: string, length?: number, max?: number): Uint8Array {
  if (!(v instanceof Uint8Array)) throw bad(`${name} must be a Uint8Array`);
  if (length !== undefined && v.length !== length) throw bad(`${name} must be ${length} bytes, got ${v.length}`);
  if (max !== undefined && v.length > max) throw bad(`${name} must be at most ${max} bytes, got ${v.length}`);
  return v;
}

function checkBackend(v: unknown): CryptoBackendName {
  if (!(CRYPTO_BACKENDS as readonly unknown[]).includes(v)) throw bad(`backend must be one of ${CRYPTO_BACKENDS.join(', ')}, got ${describe(v)}`);
  const name = v as CryptoBackendName;
  if (!backendAvailable(name)) throw bad(`backend '${name}' is unavailable in this runtime`);
  return name;
}

function checkRecords(task: Record<string, unknown>, sealing: boolean): void {
  const { key, nonce, records } = task;
  checkBytes(key, 'key', KEY_LENGTH);
  if (!Number.isSafeInteger(nonce) || (nonce as number) < 0) throw bad('nonce must be a non-negative safe integer');
  if (!Array.isArray(records)) throw bad('records must be an array of Uint8Array');
  if (records.length > MAX_BATCH_RECORDS) throw bad(`a batch holds at most ${MAX_BATCH_RECORDS} records, got ${records.length}`);
  // Subtract rather than add: nonce + length may round past 2^53 and compare equal.
  if (records.length - 1 > Number.MAX_SAFE_INTEGER - (nonce as number)) {
    throw bad('nonce + records.length - 1 must stay a safe integer');
  }
  const max = sealing ? MAX_SEALED_PLAINTEXT : MAX_NOISE_MESSAGE;
  let total = 0;
  for (let i = 0; i < records.length; i++) {
    total += checkBytes(records[i], `records[${i}]`, undefined, max).length;
  }
  if (total > MAX_BATCH_BYTES) throw bad(`a batch holds at most ${MAX_BATCH_BYTES} bytes, got ${total}`);
  if (task.adPrefix !== undefined) {
    checkBytes(task.adPrefix, 'adPrefix', undefined, MAX_ASSOCIATED_DATA - 4);
    if ((nonce as number) + records.length - 1 > 0xffff_ffff) throw bad('with adPrefix, every record\'s nonce must fit a u32');
  }
}

function checkOp(op: unknown, i: number): void {
  if (!isRecord(op)) throw bad(`ops[${i}] must be an object`);
  const at = `ops[${i}]`;
  switch (op.op) {
    case 'x25519-keypair':
      return;
    case 'x25519-dh':
      checkBytes(op.secretKey, `${at}.secretKey`, KEY_LENGTH);
      checkBytes(op.publicKey, `${at}.publicKey`, DH_LENGTH);
      return;
    case 'ed25519-sign':
      checkBytes(op.secretKey, `${at}.secretKey`, KEY_LENGTH);
      checkBytes(op.message, `${at}.message`, undefined, MAX_SIGNED_MESSAGE);
      return;
    case 'ed25519-verify':
      checkBytes(op.publicKey, `${at}.publicKey`, KEY_LENGTH);
      checkBytes(op.message, `${at}.message`, undefined, MAX_SIGNED_MESSAGE);
      checkBytes(op.signature, `${at}.signature`, SIGNATURE_LENGTH);
      return;
    default:
      throw bad(`${at}.op is unknown: ${describe(op.op)}`);
  }
}

/** The one validated entry for task messages; throws BAD_ARGUMENT naming the offending field. */
export function parseCryptoTask(v: unknown): CryptoTask {
  if (!isRecord(v)) throw bad('crypto task must be an object');
  switch (v.kind) {
    case 'seal':
    case 'open':
      checkBackend(v.backend);
      checkRecords(v, v.kind === 'seal');
      return v as CryptoTask;
    case 'asym':
      checkBackend(v.backend);
      if (!Array.isArray(v.ops)) throw bad('ops must be an array');
      if (v.ops.length > MAX_ASYM_OPS) throw bad(`a task holds at most ${MAX_ASYM_OPS} ops, got ${v.ops.length}`);
      v.ops.forEach(checkOp);
      return v as CryptoTask;
    default:
      throw bad(`crypto task kind is unknown: ${describe(v.kind)}`);
  }
}
