// The one place crypto tasks are carried out, shared by both front-ends: InlineCrypto (same
// thread) and crypto-task.ts (a piscina worker).
import { ErrorCodes, MemCloudError, fromErrorPayload } from '../../errors';
import { runAsymOps } from './asym-batch';
import { openBatch, sealBatch } from './batch-aead';
import type { CryptoReply, CryptoTask } from './crypto-messages';

export type CryptoOutcome = Extract<CryptoReply, { ok: true }>;
type OutcomeOf<K extends CryptoTask['kind']> = Extract<CryptoOutcome, { kind: K }>;

/** Runs a validated task. Every byte array in the outcome is a view into one fresh ArrayBuffer. */
export function runCryptoTask(task: CryptoTask): CryptoOutcome {
  switch (task.kind) {
    case 'seal':
      return { ok: true, kind: 'seal', records: sealBatch(task.backend, task.key, task.nonce, task.records, task.adPrefix) };
    case 'open':
      return { ok: true, kind: 'open', result: openBatch(task.backend, task.key, task.nonce, task.records, task.adPrefix) };
    case 'asym':
      return { ok: true, kind: 'asym', results: runAsymOps(task.backend, task.ops) };
  }
}

/** The byte views an outcome carries: what the worker transfers back. */
export function outcomeViews(outcome: CryptoOutcome): Uint8Array[] {
  switch (outcome.kind) {
    case 'seal':
      return outcome.records;
    case 'open':
      return outcome.result.ok ? outcome.result.plaintexts : [];
    case 'asym':
      return outcome.results.flatMap((r) => {
        switch (r.op) {
          case 'x25519-keypair':
            return [r.secretKey, r.publicKey];
          case 'x25519-dh':
            return [r.sharedSecret];
          case 'ed25519-sign':
            return [r.signature];
          case 'ed25519-verify':
            return [];
        }
      });
  }
}

/** Zeroes a secret unless it is gone already (a transferred buffer reads as length 0, and fill throws). */
function wipe(secret: unknown): void {
  if (secret instanceof Uint8Array && secret.byteLength > 0) secret.fill(0);
}

/** Zeroes the secret inputs of a task message (validated or not): key and secretKey fields. */
export function zeroSecretInputs(message: unknown): void {
  if (typeof message !== 'object' || message === null) return;
  const { key, ops } = message as { key?: unknown; ops?: unknown };
  wipe(key);
  if (!Array.isArray(ops)) return;
  for (const op of ops) wipe(typeof op === 'object' && op !== null ? (op as { secretKey?: unknown }).secretKey : undefined);
}

/** Unwraps a reply to a task of `kind`, turning an error reply back into a MemCloudError. */
export function expectOutcome<K extends CryptoTask['kind']>(reply: unknown, kind: K): OutcomeOf<K> {
  if (typeof reply !== 'object' || reply === null || !('ok' in reply)) {
    throw new MemCloudError(ErrorCodes.INTERNAL, 'crypto worker sent a malformed reply');
  }
  const r = reply as CryptoReply;
  if (!r.ok) throw fromErrorPayload(r.error);
  if (r.kind !== kind) {
    throw new MemCloudError(ErrorCodes.INTERNAL, `crypto worker answered a '${kind}' task with '${String(r.kind)}'`);
  }
  return r as OutcomeOf<K>;
}
