// Sealing and opening whole batches of transport records into one packed buffer. Record i uses
// nonce + i, the order in which the channel assigned them.
import { ErrorCodes, isMemCloudError } from '../../errors';
import type { CryptoBackendName } from '../backend-name';
import { backend } from '../backends';
import { TAG_LENGTH } from '../constants';
import type { OpenBatchResult } from './crypto-messages';
import { carve } from './packed-bytes';

/** Sealed records (ciphertext||tag), views into one ArrayBuffer. Inputs are validated by the caller. */
export function sealBatch(name: CryptoBackendName, key: Uint8Array, nonce: number, records: readonly Uint8Array[], adPrefix?: Uint8Array): Uint8Array[] {
  const aead = backend(name).aead;
  const out = carve(records.map((r) => r.length + TAG_LENGTH));
  const ad = adOf(adPrefix);
  for (let i = 0; i < records.length; i++) aead.sealInto(key, nonce + i, records[i]!, out[i]!, ad(nonce + i));
  return out;
}

const NO_AD = new Uint8Array(0);

/** Record n's associated data: adPrefix || n:u32 BE (one buffer, rewritten per record), or none. */
function adOf(adPrefix: Uint8Array | undefined): (n: number) => Uint8Array {
  if (adPrefix === undefined) return () => NO_AD;
  const ad = new Uint8Array(adPrefix.length + 4);
  ad.set(adPrefix);
  const view = new DataView(ad.buffer);
  return (n) => {
    view.setUint32(adPrefix.length, n);
    return ad;
  };
}

/** Plaintexts as views into one ArrayBuffer, or the index of the first record that fails. */
export function openBatch(name: CryptoBackendName, key: Uint8Array, nonce: number, records: readonly Uint8Array[], adPrefix?: Uint8Array): OpenBatchResult {
  const aead = backend(name).aead;
  const out = carve(records.map((r) => Math.max(0, r.length - TAG_LENGTH)));
  const ad = adOf(adPrefix);
  for (let i = 0; i < records.length; i++) {
    try {
      aead.openInto(key, nonce + i, records[i]!, out[i]!, ad(nonce + i));
    } catch (err) {
      if (!isMemCloudError(err, ErrorCodes.DECRYPT_FAILED)) throw err;
      // A batch is all or nothing: drop what earlier records decrypted to.
      if (out.length > 0) new Uint8Array(out[0]!.buffer).fill(0);
      return { ok: false, failedAt: i };
    }
  }
  return { ok: true, plaintexts: out };
}
