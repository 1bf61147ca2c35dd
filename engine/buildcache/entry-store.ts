// The build cache's entries over the engine's data API. Each entry is one cache-durability stream
// (entry header + payload, see entry-format.ts) named `buildcache:<key>`, so it is placed,
// replicated, checked and evicted like any offload, and the catalog (key -> stream) can be rebuilt
// from the node's own index after a restart. An entry becomes visible only once its stream is
// completely stored; until then, and when it fails, nothing of it can be read.

import { createHash } from 'node:crypto';
import type { ReadStreamHandle, WriteStreamHandle } from '../api/engine-api';
import { isMemCloudError } from '../errors';
import type { Logger } from '../log/log';
import type { CacheData } from './cache-data';
import { Deadline, TIMED_OUT } from './deadline';
import { decodeEntryHeader, encodeEntryHeader, EntryFormatError, type DecodedHeader, type StoredHeaders } from './entry-format';

export const ENTRY_NAME_PREFIX = 'buildcache:';

interface CatalogEntry {
  readonly streamId: string;
  /** Stream bytes: entry header plus payload. */
  readonly size: number;
}

export type PutFailure = 'too-large' | 'digest-mismatch' | 'incomplete' | 'storage';

export class PutRefused extends Error {
  override readonly name = 'PutRefused';
  constructor(
    readonly reason: PutFailure,
    message: string,
  ) {
    super(message);
  }
}

export interface PutLimits {
  readonly maxBytes: number;
  /** The declared Content-Length: a body of another size is refused. */
  readonly expectedBytes?: number;
  /** Content-addressed entries: the payload's SHA-256 must be this (lowercase hex). */
  readonly sha256?: string;
}

export interface EntryReader {
  readonly headers: StoredHeaders;
  /** Payload bytes. */
  readonly size: number;
  /** The payload in order; throws if a holder fails mid-way. Closes the reader when done. */
  chunks(): AsyncGenerator<Uint8Array>;
  /** Idempotent. */
  close(): void;
}

export type OpenOutcome =
  | { readonly kind: 'hit'; readonly reader: EntryReader }
  | { readonly kind: 'miss' }
  /** Stored, but not readable in time (a slow, failed or disconnected holder). */
  | { readonly kind: 'fallback'; readonly why: string };

const MISS: OpenOutcome = Object.freeze({ kind: 'miss' });
const SYNC_DELAY_MS = 500;

export interface EntryStoreOptions {
  readonly log: Logger;
  /** Total stored bytes kept; least recently used entries are freed beyond it. Null: no limit of our own. */
  readonly maxTotalBytes: number | null;
  /** Called after an entry was committed by put(). */
  readonly onStored?: (key: string) => void;
}

export class EntryStore {
  /** In least-recently-used order: a hit moves its entry to the end. */
  private readonly catalog = new Map<string, CatalogEntry>();
  private bytes = 0;
  /** Open readers per stream: a replaced or deleted stream is freed only after its last reader. */
  private readonly readers = new Map<string, number>();
  private readonly doomed = new Set<string>();
  private syncTimer: NodeJS.Timeout | null = null;
  private readonly offChange: () => void;

  constructor(
    private readonly data: CacheData,
    private readonly opts: EntryStoreOptions,
  ) {
    this.rebuild();
    this.offChange = data.onChange(() => {
      this.syncTimer ??= setTimeout(() => {
        this.syncTimer = null;
        this.sync();
      }, SYNC_DELAY_MS).unref();
    });
  }

  get entries(): number {
    return this.catalog.size;
  }

  get totalBytes(): number {
    return this.bytes;
  }

  /** Stored and readable right now (no read needed). */
  has(key: string): boolean {
    const e = this.catalog.get(key);
    return e !== undefined && this.data.state(e.streamId) === 'readable';
  }

  /** Payload size of a stored entry (approximate: the header size is not known without a read). */
  storedBytes(key: string): number | undefined {
    return this.catalog.get(key)?.size;
  }

  /** Opens an entry for reading, its header read, within the deadline. */
  async open(key: string, deadline: Deadline): Promise<OpenOutcome> {
    const entry = this.catalog.get(key);
    if (!entry) return MISS;
    const state = this.data.state(entry.streamId);
    if (state === 'absent' || state === 'lost') {
      this.forget(key, entry, state === 'lost');
      return MISS;
    }
    if (state === 'unreachable') return { kind: 'fallback', why: 'its holder is not connected' };
    const id = entry.streamId;
    this.acquire(id);
    let handle: ReadStreamHandle | undefined;
    try {
      const opening = this.data.openReadStream(id);
      const opened = await deadline.race(opening);
      if (opened === TIMED_OUT) {
        void opening.then((h) => h.close(), () => undefined);
        this.release(id);
        return { kind: 'fallback', why: 'the read did not start within the deadline' };
      }
      handle = opened;
      const first = await deadline.race(handle.read());
      if (first === TIMED_OUT) {
        handle.close();
        this.release(id);
        return { kind: 'fallback', why: 'its holder did not answer within the deadline' };
      }
      if (first === null) throw new EntryFormatError('empty stream');
      const header = decodeEntryHeader(first);
      this.touch(key, entry);
      return { kind: 'hit', reader: new StreamEntryReader(handle, header, first, () => this.release(id)) };
    } catch (err) {
      handle?.close();
      this.release(id);
      if (err instanceof EntryFormatError || isMemCloudError(err, 'NOT_FOUND') || isMemCloudError(err, 'EVICTED') || isMemCloudError(err, 'CORRUPT_BLOCK')) {
        this.opts.log.warn(`build cache: dropping entry ${key}: ${(err as Error).message}`);
        this.forget(key, entry, true);
        return MISS;
      }
      return { kind: 'fallback', why: (err as Error).message };
    }
  }

  /**
   * Stores `body` under `key`, replacing what was there once it is completely stored. Throws
   * PutRefused; nothing of a refused or failed entry remains anywhere.
   */
  async put(key: string, headers: StoredHeaders, body: AsyncIterable<Uint8Array>, limits: PutLimits): Promise<number> {
    if (limits.expectedBytes !== undefined && limits.expectedBytes > limits.maxBytes) {
      throw new PutRefused('too-large', `the entry (${limits.expectedBytes} bytes) exceeds the limit of ${limits.maxBytes} bytes`);
    }
    let header: Buffer;
    try {
      header = encodeEntryHeader(headers);
    } catch (err) {
      throw new PutRefused('too-large', (err as Error).message);
    }
    let stream: WriteStreamHandle;
    try {
      stream = await this.data.openWriteStream({ durability: 'cache', name: `${ENTRY_NAME_PREFIX}${key}` });
    } catch (err) {
      throw new PutRefused('storage', (err as Error).message);
    }
    try {
      const received = await this.fill(stream, header, body, limits);
      const info = await stream.end().catch((err: unknown) => {
        throw new PutRefused('storage', (err as Error).message);
      });
      // A holder that died while the entry was being stored took some of it along: not an entry.
      if (this.data.state(info.id) !== 'readable') {
        this.freeStream(info.id);
        throw new PutRefused('storage', 'a holder went away while the entry was being stored');
      }
      this.commit(key, { streamId: info.id, size: info.size });
      return received;
    } catch (err) {
      await stream.abort().catch(() => undefined);
      if (err instanceof PutRefused) throw err;
      throw new PutRefused('storage', err instanceof Error ? err.message : String(err));
    }
  }

  private async fill(stream: WriteStreamHandle, header: Buffer, body: AsyncIterable<Uint8Array>, limits: PutLimits): Promise<number> {
    const hash = limits.sha256 === undefined ? null : createHash('sha256');
    await stream.write(header);
    let received = 0;
    const it = body[Symbol.asyncIterator]();
    for (;;) {
      let next: IteratorResult<Uint8Array>;
      try {
        next = await it.next();
      } catch (err) {
        throw new PutRefused('incomplete', `the upload broke off after ${received} bytes (${(err as Error).message})`);
      }
      if (next.done) break;
      const chunk = next.value;
      received += chunk.length;
      // The rest of the body is left unread: the server answers and closes the connection.
      if (received > limits.maxBytes) throw new PutRefused('too-large', `the entry exceeds the limit of ${limits.maxBytes} bytes`);
      hash?.update(chunk);
      await stream.write(chunk);
    }
    if (limits.expectedBytes !== undefined && received !== limits.expectedBytes) {
      throw new PutRefused('incomplete', `the upload ended after ${received} of ${limits.expectedBytes} bytes`);
    }
    if (hash !== null && hash.digest('hex') !== limits.sha256) throw new PutRefused('digest-mismatch', 'the body does not match its SHA-256 digest');
    return received;
  }

  async delete(key: string): Promise<boolean> {
    const e = this.catalog.get(key);
    if (!e) return false;
    this.forget(key, e, true);
    return true;
  }

  /** Frees every entry; returns how many there were. */
  clear(): number {
    const n = this.catalog.size;
    for (const [key, e] of [...this.catalog]) this.forget(key, e, true);
    return n;
  }

  close(): void {
    this.offChange();
    if (this.syncTimer) clearTimeout(this.syncTimer);
    this.syncTimer = null;
  }

  // ---- catalog ---------------------------------------------------------------------------------

  private rebuild(): void {
    const found = this.data.streams(ENTRY_NAME_PREFIX).sort((a, b) => a.createdAt - b.createdAt);
    for (const s of found) {
      const key = s.name.slice(ENTRY_NAME_PREFIX.length);
      const older = this.catalog.get(key);
      if (older) this.forget(key, older, true); // a crash between commit and free left both
      this.catalog.set(key, { streamId: s.id, size: s.size });
      this.bytes += s.size;
    }
    if (found.length > 0) this.opts.log.info(`build cache: ${this.catalog.size} entries found in the pool`);
    this.enforceLimit();
  }

  /** Drops entries whose streams were freed or evicted behind our back (flush, free, lender eviction). */
  private sync(): void {
    for (const [key, e] of [...this.catalog]) {
      const state = this.data.state(e.streamId);
      if (state === 'absent' || state === 'lost') this.forget(key, e, state === 'lost');
    }
  }

  private commit(key: string, entry: CatalogEntry): void {
    const old = this.catalog.get(key);
    if (old) this.forget(key, old, true);
    this.catalog.set(key, entry);
    this.bytes += entry.size;
    this.enforceLimit();
    this.opts.onStored?.(key);
  }

  private enforceLimit(): void {
    const max = this.opts.maxTotalBytes;
    if (max === null) return;
    for (const [key, e] of this.catalog) {
      if (this.bytes <= max || this.catalog.size <= 1) break;
      this.forget(key, e, true);
    }
  }

  private touch(key: string, entry: CatalogEntry): void {
    if (this.catalog.get(key) !== entry) return;
    this.catalog.delete(key);
    this.catalog.set(key, entry);
  }

  /** Removes `entry` from the catalog (if it is still the one for `key`); frees its stream when `free`. */
  private forget(key: string, entry: CatalogEntry, free: boolean): void {
    if (this.catalog.get(key) === entry) {
      this.catalog.delete(key);
      this.bytes -= entry.size;
    }
    if (!free) return;
    if ((this.readers.get(entry.streamId) ?? 0) > 0) this.doomed.add(entry.streamId);
    else this.freeStream(entry.streamId);
  }

  private freeStream(id: string): void {
    this.data.free(id).catch((err: unknown) => this.opts.log.warn(`build cache: could not free stream ${id}: ${(err as Error).message}`));
  }

  private acquire(id: string): void {
    this.readers.set(id, (this.readers.get(id) ?? 0) + 1);
  }

  private release(id: string): void {
    const n = (this.readers.get(id) ?? 1) - 1;
    if (n > 0) {
      this.readers.set(id, n);
      return;
    }
    this.readers.delete(id);
    if (this.doomed.delete(id)) this.freeStream(id);
  }
}

class StreamEntryReader implements EntryReader {
  readonly headers: StoredHeaders;
  readonly size: number;
  private closed = false;

  constructor(
    private readonly handle: ReadStreamHandle,
    private readonly header: DecodedHeader,
    private readonly first: Uint8Array,
    private readonly onClose: () => void,
  ) {
    this.headers = header.headers;
    this.size = handle.info.size - header.length;
  }

  async *chunks(): AsyncGenerator<Uint8Array> {
    try {
      const rest = this.first.subarray(this.header.length);
      if (rest.length > 0) yield rest;
      for (;;) {
        const chunk = await this.handle.read();
        if (chunk === null) return;
        yield chunk;
      }
    } finally {
      this.close();
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.handle.close();
    this.onClose();
  }
}
