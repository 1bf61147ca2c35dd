// The receiving half of a secure channel: records are opened in nonce order and their plaintexts
// delivered strictly in that order. The first record that fails authentication ends the channel:
// nothing at or after it is delivered. Without a crypto pool each record is opened as it arrives,
// before push() returns (so the connection may lend it in a reused buffer); with a pool, records
// that arrive in one burst are opened together, inline or in the pool.
//
// Opened inline, a record whose plaintext lies wholly inside the body of the message being
// assembled is opened straight into that body (PlaintextSink.room): one copy on receive, not an
// open into fresh memory and a second copy into the message.

import { ErrorCodes, MemCloudError, toMemCloudError } from '../errors';
import type { KeySchedule } from './key-schedule';
import { batchRecords } from './record-batches';
import type { RecordCrypto } from '../crypto/record-crypto';
import { TAG_LENGTH } from './constants';

interface Batch {
  plaintexts: Uint8Array[] | null;
  /** Why the record after the delivered ones ends the channel, if one does. */
  failure: MemCloudError | null;
  readonly bytes: number;
}

/** Section 5.1: tampered, replayed, reordered or truncated: the stream cannot be trusted any more. */
const authFailure = () => new MemCloudError(ErrorCodes.DECRYPT_FAILED, 'a record failed authentication: session closed');
/** Section 5.1: an authentic record must carry 1..65519 bytes; an empty one is a protocol error. */
const emptyRecord = () => new MemCloudError(ErrorCodes.FRAME_MALFORMED, 'an empty record: session closed');

/** Where opened plaintexts go, in nonce order. */
export interface PlaintextSink {
  /** Memory of exactly `n` bytes to open the next record into, or null to have it delivered. */
  room(n: number): Uint8Array | null;
  /** The next record was opened into the last room(n). */
  filled(n: number): void;
  deliver(plaintext: Uint8Array): void;
}

export class RecordReceiver {
  private incoming: Uint8Array[] = [];
  private incomingBytes = 0;
  private nonce = 0;
  private readonly batches: Batch[] = [];
  private openingBytes = 0;
  private scheduled = false;
  private stopped = false;

  constructor(
    private readonly crypto: RecordCrypto,
    private readonly keys: KeySchedule,
    private readonly sink: PlaintextSink,
    private readonly onError: (err: MemCloudError) => void,
    /** Told when the bytes waiting to be opened cross the limit, so the socket can pause. */
    private readonly onBacklog: (backlogged: boolean) => void,
    private readonly backlogLimit = 8 * 1024 * 1024,
  ) {}

  get recordsReceived(): number {
    return this.nonce;
  }

  /** True when push() is done with each record when it returns (no pool: records are opened at once). */
  get consumesAtOnce(): boolean {
    return this.crypto.pool === null;
  }

  push(record: Uint8Array): void {
    if (this.stopped) return;
    if (this.crypto.pool === null) {
      const nonce = this.nonce++;
      this.openInto(this.keys.keyFor(nonce), nonce, record);
      return;
    }
    this.incoming.push(record);
    this.incomingBytes += record.length;
    if (!this.scheduled) {
      this.scheduled = true;
      queueMicrotask(() => this.dispatch());
    }
  }

  stop(): void {
    this.stopped = true;
    this.incoming = [];
    this.batches.length = 0;
  }

  private dispatch(): void {
    this.scheduled = false;
    if (this.stopped || this.incoming.length === 0) return;
    const records = this.incoming;
    const total = this.incomingBytes;
    this.incoming = [];
    this.incomingBytes = 0;
    const pooled = this.crypto.pool !== null && total >= this.crypto.offloadThreshold;
    const target = pooled ? Math.max(this.crypto.offloadThreshold, Math.ceil(total / 2)) : Infinity;
    for (const b of batchRecords(records, this.nonce, this.keys, target)) {
      this.nonce += b.records.length;
      if (pooled) this.openInPool(b.key, b.firstNonce, b.records, b.bytes);
      else if (this.batches.length === 0) this.openInPlace(b.key, b.firstNonce, b.records);
      else this.openInline(b.key, b.firstNonce, b.records, b.bytes);
    }
    this.drain();
  }

  /** Nothing opened earlier waits to be delivered: open each record and deliver it at once. */
  private openInPlace(key: Uint8Array, nonce: number, records: Uint8Array[]): void {
    for (let j = 0; j < records.length && !this.stopped; j++) this.openInto(key, nonce + j, records[j]!);
  }

  /** Opens one record into the sink's room when its plaintext fits there, else delivers it. */
  private openInto(key: Uint8Array, nonce: number, record: Uint8Array): void {
    const n = record.length - TAG_LENGTH;
    const into = n > 0 ? this.sink.room(n) : null;
    let plaintext: Uint8Array | null = null;
    try {
      if (into === null) plaintext = this.crypto.aead.open(key, nonce, record);
      else this.crypto.aead.openInto(key, nonce, record, into);
    } catch {
      return this.fail(authFailure());
    }
    if (plaintext === null) this.sink.filled(n);
    else if (plaintext.length === 0) this.fail(emptyRecord());
    else this.sink.deliver(plaintext);
  }

  private openInline(key: Uint8Array, nonce: number, records: Uint8Array[], bytes: number): void {
    const plaintexts: Uint8Array[] = [];
    let failure: MemCloudError | null = null;
    for (let j = 0; j < records.length; j++) {
      let pt: Uint8Array;
      try {
        pt = this.crypto.aead.open(key, nonce + j, records[j]!);
      } catch {
        failure = authFailure();
        break;
      }
      if (pt.length === 0) {
        failure = emptyRecord();
        break;
      }
      plaintexts.push(pt);
    }
    this.batches.push({ plaintexts, failure, bytes });
  }

  private openInPool(key: Uint8Array, nonce: number, records: Uint8Array[], bytes: number): void {
    const batch: Batch = { plaintexts: null, failure: null, bytes };
    this.batches.push(batch);
    this.openingBytes += bytes;
    if (this.openingBytes > this.backlogLimit) this.onBacklog(true);
    this.crypto.pool!.open(this.crypto.aead.name, key.slice(), nonce, records).then(
      (opened) => {
        this.openingBytes -= bytes;
        // On failure nothing of this batch is delivered, not even records before the bad one.
        const empty = opened.ok && opened.plaintexts.some((p) => p.length === 0);
        batch.plaintexts = opened.ok && !empty ? opened.plaintexts : [];
        batch.failure = !opened.ok ? authFailure() : empty ? emptyRecord() : null;
        if (this.openingBytes <= this.backlogLimit / 2) this.onBacklog(false);
        this.drain();
      },
      (err: unknown) => this.fail(toMemCloudError(err, ErrorCodes.INTERNAL, 'opening failed')),
    );
  }

  private drain(): void {
    while (!this.stopped && this.batches.length > 0 && this.batches[0]!.plaintexts !== null) {
      const batch = this.batches.shift()!;
      for (const pt of batch.plaintexts!) {
        if (this.stopped) return;
        this.sink.deliver(pt);
      }
      if (batch.failure) {
        this.fail(batch.failure);
        return;
      }
    }
  }

  private fail(err: MemCloudError): void {
    if (this.stopped) return;
    this.stop();
    this.onError(err);
  }
}
