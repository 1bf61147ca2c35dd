// The sending half of a secure channel (docs/protocol.md section 5): messages queued in one tick are
// coalesced into as few records as possible (one seal per record, not per message), nonces are
// assigned in order, batches are sealed inline or in the pool, and records are written strictly in
// nonce order through the connection (which frames them), ciphertext and tag as separate pieces of
// one corked write.
//
// Record plaintexts are assembled as pieces are queued: small pieces (headers, small messages) are
// copied into a shared slab, while the whole-record stretches of a large piece are sealed where they
// lie, without a copy. A queued piece must therefore stay unchanged until the end of the tick, when
// its records are sealed (or copied for the pool).
//
// Once a tick has queued EAGER_FLUSH_BYTES, they are sealed and written at once instead of at the
// end of the tick: a writer that queues megabytes in one go (up to the high-water mark) would
// otherwise seal all of it before the first byte leaves, while the peer, having read everything
// before, waits; sealing as it goes keeps both ends busy. Listeners hear of the progress in a
// microtask, never from inside the caller's send().

import { ErrorCodes, MemCloudError, toMemCloudError } from '../errors';
import { FRAME_HEADER_LENGTH, MAX_RECORD_PLAINTEXT, TAG_LENGTH } from './constants';
import type { KeySchedule } from './key-schedule';
import { batchRecords } from './record-batches';
import type { RecordCrypto, SealedRecord } from '../crypto/record-crypto';
import { SendProgress } from './send-progress';

/** Where sealed records go: the connection, which frames them (WireConnection.writeRecords). */
export interface RecordSink {
  /** Writes each record as one TRANSPORT frame, all of them in one corked write. */
  writeRecords(records: readonly SealedRecord[]): void;
  /** Bytes written but not yet taken by the kernel. */
  readonly writableLength: number;
}

interface Batch {
  records: SealedRecord[] | null;
  readonly plaintextBytes: number;
}

const MAX_POOL_BATCH = 512 * 1024;
/** Queued plaintext that is sealed and written without waiting for the end of the tick. */
const EAGER_FLUSH_BYTES = 256 * 1024;
/** Records are assembled in slabs of this size (the bytes of sealed records are never rewritten). */
const SLAB_BYTES = 64 * 1024;
/** A slab with less room than this left is retired: a new record starts in a fresh slab. */
const MIN_SLAB_ROOM = 4096;

export class RecordSender {
  /** Allocated on the first piece: a channel that never sends (a refused stranger) costs no slab. */
  private slab: Buffer = Buffer.alloc(0);
  /** The record being filled: slab bytes [open, pos). */
  private open = 0;
  private pos = 0;
  /** Complete record plaintexts waiting for the end of the tick. */
  private records: Uint8Array[] = [];
  private pendingBytes = 0;
  private sealingBytes = 0;
  private nonce = 0;
  private readonly batches: Batch[] = [];
  private flushScheduled = false;
  private readonly flushNow = (): void => {
    this.flushScheduled = false;
    this.flush();
  };
  private progressScheduled = false;
  private readonly progressNow = (): void => {
    this.progressScheduled = false;
    if (this.failed) return;
    this.onProgress();
    if (this.pendingBytes === 0 && this.batches.length === 0) this.releaseIdle();
  };
  private failed = false;
  private idleWaiters: Array<() => void> = [];
  /** How far queued bytes got (written, accepted by the kernel). */
  readonly progress: SendProgress;

  constructor(
    private readonly sink: RecordSink,
    private readonly crypto: RecordCrypto,
    private readonly keys: KeySchedule,
    private readonly onError: (err: MemCloudError) => void,
    /** Called after bytes left this sender's queues (for the channel's drain logic). */
    private readonly onProgress: () => void,
  ) {
    this.progress = new SendProgress(sink);
  }

  /** Plaintext bytes not yet handed to the socket, plus the socket's own buffer. */
  get bufferedBytes(): number {
    return this.pendingBytes + this.sealingBytes + this.sink.writableLength;
  }

  get recordsSent(): number {
    return this.nonce;
  }

  /** Queues one piece of the plaintext stream; it is sealed and written at the end of the current tick. */
  enqueue(piece: Uint8Array): void {
    const n = piece.length;
    if (this.failed || n === 0) return;
    this.pendingBytes += n;
    this.progress.onEnqueued(n);
    let off = 0;
    while (off < n) {
      if (this.pos === this.open && n - off >= MAX_RECORD_PLAINTEXT) {
        this.records.push(piece.subarray(off, off + MAX_RECORD_PLAINTEXT));
        off += MAX_RECORD_PLAINTEXT;
        continue;
      }
      const room = Math.min(MAX_RECORD_PLAINTEXT - (this.pos - this.open), this.slab.length - this.pos);
      const take = Math.min(room, n - off);
      this.slab.set(take === n ? piece : piece.subarray(off, off + take), this.pos);
      this.pos += take;
      off += take;
      if (take === room) this.closeRecord();
    }
    if (this.pendingBytes >= EAGER_FLUSH_BYTES) this.flush();
    else if (!this.flushScheduled) {
      this.flushScheduled = true;
      queueMicrotask(this.flushNow);
    }
  }

  /** Resolves once everything queued so far has been written to the socket. */
  whenIdle(): Promise<void> {
    if (this.pendingBytes === 0 && this.batches.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  stop(): void {
    this.failed = true;
    this.records = [];
    this.batches.length = 0;
    this.pendingBytes = 0;
    this.sealingBytes = 0;
    this.progress.clear();
    this.releaseIdle();
  }

  private flush(): void {
    if (this.failed) return;
    this.closeRecord();
    const records = this.records;
    if (records.length === 0) return;
    this.records = [];
    this.pendingBytes = 0;
    let total = 0;
    for (const r of records) total += r.length;
    const pooled = this.crypto.pool !== null && total >= this.crypto.offloadThreshold;
    const target = pooled ? Math.min(MAX_POOL_BATCH, Math.max(this.crypto.offloadThreshold, Math.ceil(total / 2))) : Infinity;
    for (const b of batchRecords(records, this.nonce, this.keys, target)) {
      this.nonce += b.records.length;
      if (pooled) this.sealInPool(b.key, b.firstNonce, b.records, b.bytes);
      else this.batches.push({ records: b.records.map((pt, j) => this.sealInline(b.key, b.firstNonce + j, pt)), plaintextBytes: b.bytes });
    }
    this.pump();
  }

  /** Ends the record being filled (if it has any bytes); retires the slab when little room is left. */
  private closeRecord(): void {
    if (this.pos > this.open) this.records.push(this.slab.subarray(this.open, this.pos));
    if (this.slab.length - this.pos < MIN_SLAB_ROOM) {
      this.slab = Buffer.allocUnsafeSlow(SLAB_BYTES);
      this.pos = 0;
    }
    this.open = this.pos;
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
      (err: unknown) => this.fail(toMemCloudError(err, ErrorCodes.INTERNAL, 'sealing failed')),
    );
  }

  /** Writes finished batches in nonce order; listeners hear of it in a microtask. */
  private pump(): void {
    if (this.failed) return;
    while (this.batches.length > 0 && this.batches[0]!.records !== null) {
      const { records } = this.batches.shift()!;
      this.sink.writeRecords(records!);
      for (const r of records!) this.progress.onWritten(r.length - TAG_LENGTH, FRAME_HEADER_LENGTH + r.length);
    }
    if (!this.progressScheduled) {
      this.progressScheduled = true;
      queueMicrotask(this.progressNow);
    }
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
