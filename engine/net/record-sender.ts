// The sending half of a secure channel (docs/protocol.md section 5): messages queued in one tick are
// coalesced into as few records as possible (one seal per socket write, not per message), nonces are
// assigned in order, batches are sealed inline or in the pool, and records are written strictly in
// nonce order, ciphertext and tag as separate pieces of one corked write.

import { ErrorCodes, MemCloudError, isMemCloudError } from '../errors';
import { FrameType, MAX_RECORD_PLAINTEXT, TAG_LENGTH } from './constants';
import { encodeFrameHeader } from './framing';
import type { KeySchedule } from './key-schedule';
import type { RecordCrypto, SealedRecord } from './record-crypto';

/** The part of a socket the sender needs. */
export interface RecordSink {
  cork(): void;
  uncork(): void;
  write(chunk: Uint8Array): boolean;
  readonly writableLength: number;
}

interface Batch {
  records: SealedRecord[] | null;
  readonly plaintextBytes: number;
}

const MAX_POOL_BATCH = 512 * 1024;

export class RecordSender {
  private pieces: Uint8Array[] = [];
  private pendingBytes = 0;
  private sealingBytes = 0;
  private nonce = 0;
  private readonly batches: Batch[] = [];
  private flushScheduled = false;
  private failed = false;
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly sink: RecordSink,
    private readonly crypto: RecordCrypto,
    private readonly keys: KeySchedule,
    private readonly onError: (err: MemCloudError) => void,
    /** Called after bytes left this sender's queues (for the channel's drain logic). */
    private readonly onProgress: () => void,
  ) {}

  /** Plaintext bytes not yet handed to the socket, plus the socket's own buffer. */
  get bufferedBytes(): number {
    return this.pendingBytes + this.sealingBytes + this.sink.writableLength;
  }

  get recordsSent(): number {
    return this.nonce;
  }

  /** Queues message pieces; they are sealed and written at the end of the current tick. */
  enqueue(pieces: readonly Uint8Array[]): void {
    if (this.failed) return;
    for (const p of pieces) {
      if (p.length === 0) continue;
      this.pieces.push(p);
      this.pendingBytes += p.length;
    }
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      queueMicrotask(() => this.flush());
    }
  }

  /** Resolves once everything queued so far has been written to the socket. */
  whenIdle(): Promise<void> {
    if (this.pendingBytes === 0 && this.batches.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  stop(): void {
    this.failed = true;
    this.pieces = [];
    this.batches.length = 0;
    this.pendingBytes = 0;
    this.sealingBytes = 0;
    this.releaseIdle();
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.failed || this.pendingBytes === 0) return;
    const records = this.cutRecords();
    const total = records.reduce((n, r) => n + r.length, 0);
    const pooled = this.crypto.pool !== null && total >= this.crypto.offloadThreshold;
    const target = pooled ? Math.min(MAX_POOL_BATCH, Math.max(this.crypto.offloadThreshold, Math.ceil(total / 2))) : Infinity;
    let i = 0;
    while (i < records.length) {
      const first = this.nonce;
      const room = this.keys.remainingInEpoch(first);
      const group: Uint8Array[] = [];
      let bytes = 0;
      while (i < records.length && group.length < room && (group.length === 0 || bytes < target)) {
        bytes += records[i]!.length;
        group.push(records[i++]!);
      }
      this.nonce += group.length;
      const key = this.keys.keyFor(first);
      if (pooled) this.sealInPool(key, first, group, bytes);
      else this.batches.push({ records: group.map((pt, j) => this.sealInline(key, first + j, pt)), plaintextBytes: bytes });
    }
    this.pump();
  }

  /** Copies the queued pieces into records of at most MAX_RECORD_PLAINTEXT bytes. */
  private cutRecords(): Uint8Array[] {
    const records: Uint8Array[] = [];
    let record = Buffer.allocUnsafe(Math.min(MAX_RECORD_PLAINTEXT, this.pendingBytes));
    let fill = 0;
    for (const piece of this.pieces) {
      let offset = 0;
      while (offset < piece.length) {
        const take = Math.min(record.length - fill, piece.length - offset);
        record.set(piece.subarray(offset, offset + take), fill);
        fill += take;
        offset += take;
        this.pendingBytes -= take;
        if (fill === record.length) {
          records.push(record);
          fill = 0;
          if (this.pendingBytes > 0) record = Buffer.allocUnsafe(Math.min(MAX_RECORD_PLAINTEXT, this.pendingBytes));
        }
      }
    }
    this.pieces = [];
    return records;
  }

  private sealInline(key: Uint8Array, nonce: number, plaintext: Uint8Array): SealedRecord {
    const { ciphertext, tag } = this.crypto.aead.seal(key, nonce, plaintext);
    return { pieces: [ciphertext, tag], length: ciphertext.length + tag.length };
  }

  private sealInPool(key: Uint8Array, nonce: number, plaintexts: Uint8Array[], bytes: number): void {
    const batch: Batch = { records: null, plaintextBytes: bytes };
    this.batches.push(batch);
    this.sealingBytes += bytes;
    this.crypto.pool!.seal(this.crypto.aead.name, key.slice(), nonce, plaintexts).then(
      (sealed) => {
        this.sealingBytes -= bytes;
        batch.records = sealed.map((r) => ({ pieces: [r], length: r.length }));
        this.pump();
      },
      (err: unknown) => this.fail(isMemCloudError(err) ? err : new MemCloudError(ErrorCodes.INTERNAL, `sealing failed: ${String(err)}`)),
    );
  }

  /** Writes finished batches in nonce order. */
  private pump(): void {
    if (this.failed) return;
    let wrote = false;
    while (this.batches.length > 0 && this.batches[0]!.records !== null) {
      const { records } = this.batches.shift()!;
      if (!wrote) this.sink.cork();
      wrote = true;
      for (const r of records!) {
        if (r.length - TAG_LENGTH > MAX_RECORD_PLAINTEXT) throw new Error('record too large');
        this.sink.write(encodeFrameHeader(FrameType.TRANSPORT, r.length));
        for (const piece of r.pieces) this.sink.write(piece);
      }
    }
    if (wrote) {
      this.sink.uncork();
      this.onProgress();
    }
    if (this.pendingBytes === 0 && this.batches.length === 0) this.releaseIdle();
  }

  private releaseIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  private fail(err: MemCloudError): void {
    if (this.failed) return;
    this.stop();
    this.onError(err);
  }
}
