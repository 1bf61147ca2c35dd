// Cuts a run of records (sealing or opening, in nonce order) into batches: none crosses a rekey
// boundary (docs/protocol.md section 5.2), and, when they go to the crypto pool, each holds about
// `target` bytes so both pool threads get work. Shared by the sender and the receiver.

import type { KeySchedule } from './key-schedule';

export interface RecordBatch {
  readonly key: Uint8Array;
  readonly firstNonce: number;
  readonly records: Uint8Array[];
  readonly bytes: number;
}

/** Batches for `records` starting at nonce `firstNonce`; the key of each batch comes from `keys`. */
export function* batchRecords(records: readonly Uint8Array[], firstNonce: number, keys: KeySchedule, target: number): Generator<RecordBatch> {
  let nonce = firstNonce;
  let i = 0;
  while (i < records.length) {
    const room = keys.remainingInEpoch(nonce);
    const group: Uint8Array[] = [];
    let bytes = 0;
    while (i < records.length && group.length < room && (group.length === 0 || bytes < target)) {
      bytes += records[i]!.length;
      group.push(records[i++]!);
    }
    yield { key: keys.keyFor(nonce), firstNonce: nonce, records: group, bytes };
    nonce += group.length;
  }
}
