// The catalog's write-ahead journal: changes are appended before the write that made them is
// acknowledged. Changes of one event-loop turn go out together in one write() (group commit), so a
// busy node makes one system call for many acknowledgements. The write is synchronous: a few
// hundred bytes into the page cache cost less than handing them to the thread pool and back
// (measured: same CPU per SET, one thread hop less latency per acknowledgement). The page cache keeps what was
// written when the process is killed; fdatasync runs about once a second (and at close) for
// power loss. After the first write error the journal refuses everything: memory and disk would
// no longer agree, and nothing more may be acknowledged.

import { closeSync, fchmodSync, fdatasync, fdatasyncSync, fstatSync, openSync, renameSync, writeSync } from 'node:fs';
import { ErrorCodes, MemCloudError } from '../errors';
import type { CatalogChange } from './catalog-change';
import { ChangeEncoder, FileKind, encodeFileHeader, type FileHeader } from './catalog-codec';

const SYNC_INTERVAL_MS = 1000;

interface Waiter {
  readonly resolve: () => void;
  readonly reject: (err: MemCloudError) => void;
}

export class CatalogJournal {
  private fd: number;
  private encoder = new ChangeEncoder();
  private waiters: Waiter[] = [];
  private scheduled = false;
  private failure: MemCloudError | null = null;
  private dirty = false;
  private syncing = false;
  private closed = false;
  private readonly syncTimer: NodeJS.Timeout;
  /** Bytes in the journal file. */
  size: number;

  /** Creates (or empties) the journal at `path` for the catalog `header` names. */
  constructor(
    private readonly path: string,
    private readonly header: FileHeader,
    /** Told after each write, with the journal's size (the owner decides when to compact). */
    private readonly onWritten: (size: number) => void = () => undefined,
  ) {
    this.fd = openFresh(path, header);
    this.size = fstatSync(this.fd).size;
    this.syncTimer = setInterval(() => this.syncSoon(), SYNC_INTERVAL_MS);
    this.syncTimer.unref();
  }

  /** Resolves once `changes` are written (with whatever else this turn of the event loop adds). */
  append(changes: readonly CatalogChange[]): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closed) return Promise.reject(new MemCloudError(ErrorCodes.NODE_NOT_RUNNING, 'the node is stopping; nothing more is stored'));
    for (const c of changes) this.encoder.add(c);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /** Writes what is pending (one frame). */
  private flush(): void {
    this.scheduled = false;
    if (this.closed) return; // close() wrote it
    const before = this.size;
    this.flushSync();
    if (this.size !== before) this.onWritten(this.size);
  }

  /** Writes what is pending now (also at rotation and close, where onWritten must not run: a compaction must not start inside a rotation). */
  private flushSync(): void {
    const waiters = this.waiters;
    this.waiters = [];
    if (waiters.length === 0) return;
    if (this.failure) return rejectAll(waiters, this.failure);
    const frame = this.encoder.frame();
    try {
      for (let off = 0; off < frame.length; ) off += writeSync(this.fd, frame, off, frame.length - off);
    } catch (err) {
      return this.fail(err, waiters);
    }
    this.written(frame.length, waiters);
  }

  private written(bytes: number, waiters: readonly Waiter[]): void {
    this.size += bytes;
    this.dirty = true;
    for (const w of waiters) w.resolve();
  }

  private fail(err: unknown, waiters: readonly Waiter[]): void {
    this.failure = new MemCloudError(
      ErrorCodes.HOME_UNUSABLE,
      `cannot write ${this.path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): nothing more is stored until the node restarts`,
    );
    rejectAll(waiters, this.failure);
    rejectAll(this.waiters.splice(0), this.failure);
  }

  /**
   * Starts a new, empty journal file and moves this one's to `oldPath` (both in one synchronous
   * step, so no change falls between them). The caller writes a snapshot, then deletes `oldPath`.
   */
  rotate(oldPath: string): void {
    this.flushSync();
    if (this.failure) throw this.failure;
    // No fdatasync here (it would stall the event loop): the snapshot that follows is synced, and
    // until then the old journal is as durable as the journal always is (see the file comment).
    closeSync(this.fd);
    renameSync(this.path, oldPath);
    this.fd = openFresh(this.path, this.header);
    this.encoder = new ChangeEncoder();
    this.size = fstatSync(this.fd).size;
    this.dirty = false;
  }

  /** Writes what is pending, makes everything durable and closes. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.syncTimer);
    this.flushSync();
    try {
      if (!this.failure) fdatasyncSync(this.fd);
    } finally {
      closeSync(this.fd);
    }
  }

  private syncSoon(): void {
    if (!this.dirty || this.syncing || this.closed) return;
    this.dirty = false;
    this.syncing = true;
    const fd = this.fd;
    fdatasync(fd, () => {
      this.syncing = false; // an error here surfaces at the next write or at close
    });
  }
}

function rejectAll(waiters: readonly Waiter[], err: MemCloudError): void {
  for (const w of waiters) w.reject(err);
}

/** Creates `path` afresh (0600) with its file header (a machine that loses power before it is on disk leaves a short file, read as empty). */
function openFresh(path: string, header: FileHeader): number {
  const fd = openSync(path, 'w', 0o600);
  try {
    if (process.platform !== 'win32') fchmodSync(fd, 0o600);
    writeSync(fd, encodeFileHeader(FileKind.JOURNAL, header));
    closeSync(fd);
  } catch (err) {
    closeSync(fd);
    throw err;
  }
  return openSync(path, 'a', 0o600);
}
