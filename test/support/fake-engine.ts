// The one in-memory EngineApi of the tests: control socket and SDK tests (the socket is what is
// under test, so the engine only has to be honest about what it received and returned), and the
// extension's model and dashboard tests (what the node reports is `state`, which a test changes;
// `fail()` makes it a failing node). Every call is recorded. Optional random delays make it answer
// out of order. Streams either keep their chunks or, for big streams, only their hash;
// `gen:<bytes>` ids read back deterministic generated data without storing it.

import { createHash } from 'node:crypto';
import type { BuildCacheStartOptions } from '../../engine/api/build-cache-types';
import type { EngineApi, FileTransferOptions, ReadStreamHandle, WriteStreamHandle } from '../../engine/api/engine-api';
import type { BuildCacheStatus } from '../../engine/api/build-cache-types';
import type {
  BlockRef,
  ConsentAnswer,
  DataItem,
  EngineEvent,
  NodeStatus,
  PeerInfo,
  Stats,
  StoreOptions,
  StreamInfo,
  TrustedDeviceInfo,
} from '../../engine/api/types';
import { ErrorCodes, MemCloudError } from '../../engine/errors';
import * as F from './engine-fixtures';

export interface FakeEngineOptions {
  /** Milliseconds to wait before answering each call (e.g. random, for out-of-order replies). */
  readonly delay?: () => number;
  /** Keep written stream chunks (default true); false keeps only size and hash. */
  readonly retainStreams?: boolean;
  /** Fails the write stream's write() call number N (1-based) with this error. */
  readonly failWriteAt?: { readonly call: number; readonly error: MemCloudError };
  /** A read stream fails after delivering this many chunks. */
  readonly failReadAfter?: number;
  /** Every write stream write() waits for this before it resolves (a stalled engine). */
  readonly writeGate?: Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms).unref());

/** Chunk `i` of a generated stream: deterministic bytes, different for every index. */
export function generatedChunk(i: number, size: number): Uint8Array {
  const out = new Uint8Array(size);
  let x = (i + 1) * 2654435761;
  for (let j = 0; j < size; j += 4) {
    x = (x ^ (x << 13)) >>> 0;
    x = (x ^ (x >>> 17)) >>> 0;
    x = (x ^ (x << 5)) >>> 0;
    out[j] = x;
    out[j + 1] = x >>> 8;
    out[j + 2] = x >>> 16;
    out[j + 3] = x >>> 24;
  }
  return out;
}

export const GENERATED_CHUNK = 1024 * 1024;

/** What the node reports to the read calls. */
export interface FakeNodeState {
  status: NodeStatus;
  /** Called on every stats() (a test can make the timestamp move). */
  stats: () => Stats;
  peers: PeerInfo[];
  trusted: TrustedDeviceInfo[];
  /** What listData() answers; free() and del() remove the item they name. */
  data: DataItem[];
  cache: BuildCacheStatus;
}

export class FakeEngine implements EngineApi {
  /** Every call as received: method name and arguments (after the socket, exactly). */
  readonly calls: { method: string; args: unknown[] }[] = [];
  readonly state: FakeNodeState = {
    status: F.nodeStatus,
    stats: () => F.stats,
    peers: [F.peer, F.pendingPeer],
    trusted: [F.trusted],
    data: [...F.dataItems],
    cache: F.buildCacheStatus,
  };
  readonly kv = new Map<string, Uint8Array>();
  readonly blocks = new Map<string, Uint8Array>();
  readonly streams = new Map<string, { info: StreamInfo; chunks: Uint8Array[] }>();
  readonly abortedStreams: string[] = [];
  readonly closedReadStreams: string[] = [];
  readonly completionOrder: number[] = [];
  inFlight = 0;
  maxInFlight = 0;
  private readonly listeners = new Set<(e: EngineEvent) => void>();
  private nextId = 1;
  private seq = 0;
  private abortWaiters: (() => void)[] = [];
  private failure: { readonly error: unknown; readonly methods: ReadonlySet<string> | null } | null = null;

  constructor(private readonly opts: FakeEngineOptions = {}) {}

  /** From now on the named methods (every method if none is named) reject with `error`, thrown as is. */
  fail(error: unknown, ...methods: string[]): void {
    this.failure = { error, methods: methods.length > 0 ? new Set(methods) : null };
  }

  recover(): void {
    this.failure = null;
  }

  /** How many times each method was called. */
  tally(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const c of this.calls) out[c.method] = (out[c.method] ?? 0) + 1;
    return out;
  }

  /** The calls to these methods, as `method arg arg` lines. */
  callsTo(...methods: string[]): string[] {
    return this.calls.filter((c) => methods.includes(c.method)).map((c) => [c.method, ...c.args.map(String)].join(' '));
  }

  get subscriberCount(): number {
    return this.listeners.size;
  }

  emit(event: EngineEvent): void {
    for (const l of this.listeners) l(event);
  }

  /** Resolves once a write stream has been aborted. */
  nextAbort(): Promise<void> {
    return new Promise((r) => this.abortWaiters.push(r));
  }

  status = () => this.answer('status', [], () => this.state.status);
  stats = () => this.answer('stats', [], () => this.state.stats());

  store = (data: Uint8Array, opts?: StoreOptions) =>
    this.answer('store', [data, opts], (): BlockRef => {
      const id = `b${this.nextId++}`;
      this.blocks.set(id, data);
      return { id, size: data.length, replicas: [{ holder: 'local', holderName: 'this' }, { holder: F.peer.publicKey, holderName: 'büro-ñ' }] };
    });
  load = (id: string) => this.answer('load', [id], () => this.blocks.get(id) ?? notFound(`block ${id}`));
  free = (id: string) =>
    this.answer('free', [id], () => {
      const freed = this.blocks.delete(id);
      if (!this.dropItem((d) => d.kind !== 'key' && d.id === id) && !freed) notFound(`block ${id}`);
    });

  set = (key: string, value: Uint8Array, opts?: StoreOptions) =>
    this.answer('set', opts === undefined ? [key, value] : [key, value, opts], () => void this.kv.set(key, value));
  get = (key: string) => this.answer('get', [key], () => this.kv.get(key) ?? notFound(`key ${key}`));
  del = (key: string) =>
    this.answer('del', [key], () => {
      const deleted = this.kv.delete(key);
      return this.dropItem((d) => d.kind === 'key' && d.id === key) || deleted;
    });
  keys = (pattern?: string) =>
    this.answer('keys', pattern === undefined ? [] : [pattern], () => {
      const prefix = (pattern ?? '*').replace(/\*$/, '');
      return [...this.kv.keys()].filter((k) => k.startsWith(prefix)).sort();
    });

  openWriteStream = (opts?: StoreOptions) => this.answer('openWriteStream', opts === undefined ? [] : [opts], () => this.writeHandle(opts));
  openReadStream = (id: string) => this.answer('openReadStream', [id], () => this.readHandle(id));

  pushFile = (path: string, opts?: FileTransferOptions) =>
    this.answer('pushFile', [path, opts], () => ({ ...F.streamInfo, name: path }));
  pullFile = (id: string, path: string, opts?: { readonly transferId?: string }) =>
    this.answer('pullFile', [id, path, opts], () => ({ ...F.streamInfo, id }));
  cancelTransfer = (transferId: string) => this.answer('cancelTransfer', [transferId], () => undefined);
  listData = () => this.answer('listData', [], (): DataItem[] => this.state.data);
  flush = () => this.answer('flush', [], () => ({ freedItems: 3 }));

  peers = () => this.answer('peers', [], (): PeerInfo[] => this.state.peers);
  connect = (address: string, opts?: { readonly expectedKey?: string }) =>
    this.answer('connect', [address, opts], () => {
      if (opts?.expectedKey !== undefined && opts.expectedKey !== F.peer.publicKey) {
        throw new MemCloudError(ErrorCodes.PEER_KEY_CHANGED, 'the device at that address has another identity');
      }
      return F.peer;
    });
  disconnect = (peer: string) =>
    this.answer('disconnect', [peer], () => {
      if (peer === 'explode') throw new Error('disconnect exploded'); // not a MemCloudError
    });
  updatePeer = (peer: string, opts: { readonly allowedBytes: number }) =>
    this.answer('updatePeer', [peer, opts], () => ({ ...F.peer, allowedBytes: opts.allowedBytes }));

  trustList = () => this.answer('trustList', [], (): TrustedDeviceInfo[] => this.state.trusted);
  trustAdd = (publicKey: string, opts?: { readonly name?: string; readonly approval?: 'cli' | 'extension' }) =>
    this.answer('trustAdd', [publicKey, opts], () => ({ ...F.trusted, publicKey, name: opts?.name ?? F.trusted.name }));
  trustRemove = (device: string) =>
    this.answer('trustRemove', [device], () => (device === F.trusted.name ? { ...F.trusted, status: 'revoked' as const } : notFound(`device ${device}`)));
  trustRename = (device: string, name: string) => this.answer('trustRename', [device, name], () => ({ ...F.trusted, name }));

  consentList = () => this.answer('consentList', [], () => [F.consent]);
  consentAnswer = (id: string, answer: ConsentAnswer) =>
    this.answer('consentAnswer', [id, answer], () => {
      if (id !== F.consent.id) throw new MemCloudError(ErrorCodes.CONSENT_NOT_FOUND, `no consent request ${id}`);
    });

  setOffer = (bytes: number) =>
    this.answer('setOffer', [bytes], () => {
      if (bytes < 0) throw new MemCloudError(ErrorCodes.BAD_ARGUMENT, 'offer must not be negative');
    });
  logs = (opts?: { readonly lines?: number }) => this.answer('logs', [opts], () => F.logEntries.slice(0, opts?.lines ?? 10));
  shutdown = () => this.answer('shutdown', [], () => undefined);

  cacheStart = (opts?: BuildCacheStartOptions) => this.answer('cacheStart', [opts], () => F.buildCacheStatus);
  cacheStop = () => this.answer('cacheStop', [], () => ({ ...F.buildCacheStatus, running: false, url: null, port: null }));
  cacheStatus = () => this.answer('cacheStatus', [], () => this.state.cache);
  cacheEnv = () => this.answer('cacheEnv', [], () => F.buildCacheEnv);
  cacheClear = () => this.answer('cacheClear', [], () => ({ freedEntries: 12 }));

  subscribe(listener: (event: EngineEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private async answer<T>(method: string, args: unknown[], result: () => T): Promise<T> {
    while (args.length > 0 && args[args.length - 1] === undefined) args.pop();
    const seq = this.seq++;
    this.calls.push({ method, args });
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      const ms = this.opts.delay?.() ?? 0;
      if (ms > 0) await sleep(ms);
      const failure = this.failure;
      if (failure !== null && (failure.methods === null || failure.methods.has(method))) throw failure.error;
      return result();
    } finally {
      this.inFlight--;
      this.completionOrder.push(seq);
    }
  }

  /** Removes the listed item `which` names; whether there was one. */
  private dropItem(which: (d: DataItem) => boolean): boolean {
    const before = this.state.data.length;
    this.state.data = this.state.data.filter((d) => !which(d));
    return this.state.data.length < before;
  }

  private writeHandle(opts?: StoreOptions): WriteStreamHandle {
    const id = `s${this.nextId++}`;
    const hash = createHash('sha256');
    const chunks: Uint8Array[] = [];
    let size = 0;
    let writes = 0;
    let done = false;
    const retain = this.opts.retainStreams ?? true;
    return {
      id,
      write: async (chunk) => {
        if (done) throw new MemCloudError(ErrorCodes.CANCELLED, 'stream is finished');
        writes++;
        const fail = this.opts.failWriteAt;
        if (fail !== undefined && writes === fail.call) throw fail.error;
        await this.opts.writeGate;
        hash.update(chunk);
        size += chunk.length;
        if (retain) chunks.push(chunk);
      },
      end: async () => {
        done = true;
        const info: StreamInfo = { id, name: opts?.name ?? '', size, chunks: writes, digest: hash.digest('hex'), format: 'file', replicas: [] };
        this.streams.set(id, { info, chunks });
        return info;
      },
      abort: async () => {
        done = true;
        this.abortedStreams.push(id);
        const waiters = this.abortWaiters;
        this.abortWaiters = [];
        for (const w of waiters) w();
      },
    };
  }

  private readHandle(id: string): ReadStreamHandle {
    const generated = /^gen:(\d+)$/.exec(id);
    let next: () => Uint8Array | null;
    let info: StreamInfo;
    if (generated) {
      const total = Number(generated[1]);
      let i = 0;
      next = () => {
        const offset = i * GENERATED_CHUNK;
        return offset >= total ? null : generatedChunk(i++, Math.min(GENERATED_CHUNK, total - offset));
      };
      info = { id, name: 'generated', size: total, chunks: Math.ceil(total / GENERATED_CHUNK), digest: '', format: 'file', replicas: [] };
    } else {
      const s = this.streams.get(id) ?? notFound(`stream ${id}`);
      let i = 0;
      next = () => s.chunks[i++] ?? null;
      info = s.info;
    }
    let delivered = 0;
    let closed = false;
    return {
      info,
      read: async () => {
        if (closed) return null;
        if (this.opts.failReadAfter !== undefined && delivered >= this.opts.failReadAfter) {
          throw new MemCloudError(ErrorCodes.CORRUPT_BLOCK, 'chunk hash mismatch');
        }
        delivered++;
        return next();
      },
      close: () => {
        closed = true;
        this.closedReadStreams.push(id);
      },
    };
  }
}

function notFound(what: string): never {
  throw new MemCloudError(ErrorCodes.NOT_FOUND, `${what} not found`);
}
