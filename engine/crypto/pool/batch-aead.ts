// Sealing and opening whole batches of transport records into one packed buffer. Record i uses
// nonce + i, the order in which the channel assigned them.
import { createAead } from '../aead/create-aead';
import { AEAD_TAG_LENGTH } from '../aead/transport-aead';
import { ErrorCodes, isMemCloudError } from '../../errors';
import type { CryptoBackendName, OpenBatchResult } from './crypto-messages';
import { carve } from './packed-bytes';

/** Sealed records (ciphertext||tag), views into one ArrayBuffer. Inputs are validated by the caller. */
export function sealBatch(backend: CryptoBackendName, key: Uint8Array, nonce: number, records: readonly Uint8Array[]): Uint8Array[] {
  const aead = createAead(backend);
  const out = carve(records.map((r) => r.length + AEAD_TAG_LENGTH));
  for (let i = 0; i < records.length; i++) aead.sealInto(key, nonce + i, records[i]!, out[i]!);
  return out;
}

/** Plaintexts as views into one ArrayBuffer, or the index of the first record that fails. */
export function openBatch(backend: CryptoBackendName, key: Uint8Array, nonce: number, records: readonly Uint8Array[]): OpenBatchResult {
  const aead = createAead(backend);
  const out = carve(records.map((r) => Math.max(0, r.length - AEAD_TAG_LENGTH)));
  for (let i = 0; i < records.length; i++) {
    try {
      aead.openInto(key, nonce + i, records[i]!, out[i]!);
    } catch (err) {
      if (!isMemCloudError(err, ErrorCodes.DECRYPT_FAILED)) throw err;
      // A batch is all or nothing: drop what earlier records decrypted to.
      if (out.length > 0) new Uint8Array(out[0]!.buffer).fill(0);
      return { ok: false, failedAt: i };
    }
  }
  return { ok: true, plaintexts: out };
}
