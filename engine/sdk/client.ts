// The typed MemCloud client: the engine's API (EngineApi) over a running node's control socket,
// plus Node stream helpers. Every method may reject with a MemCloudError whose `code` is stable.
//
//   const mc = await MemCloud.connect();          // the node of ~/.memcloud (or $MEMCLOUD_HOME)
//   await mc.set('user:1', bytes);
//   const info = await mc.storeStream(fs.createReadStream('big.bin'));
//   mc.loadStream(info.id).pipe(fs.createWriteStream('copy.bin'));
//
// Byte arguments over 64 KiB are sent without copying: do not modify them until the call settles.
// Results under 4 KiB share 8 KiB slabs, as Node's Buffer pool does; keep many of them for long
// and you may want `.slice()` copies.

import type { Readable } from 'node:stream';
import type { BuildCacheEnv, BuildCacheStartOptions, BuildCacheStatus } from '../api/build-cache-types';
import type { EngineApi, FileTransferOptions, ReadStreamHandle, WriteStreamHandle } from '../api/engine-api';
import type {
  BlockRef,
  ConsentAnswer,
  ConsentRequestInfo,
  DataItem,
  EngineEvent,
  LogEntry,
  NodeStatus,
  PeerInfo,
  PushInfo,
  Stats,
  StoreOptions,
  StreamInfo,
  TrustedDeviceInfo,
} from '../api/types';
import { ErrorCodes, MemCloudError } from '../errors';
import { resolveHome } from '../home/home';
import { DEFAULT_STREAM_WINDOW, MAX_STREAM_WINDOW } from '../control/protocol';
import { controlEndpoint } from '../control/socket-path';
import { abortableTransfer } from './abortable-transfer';
import { ClientConnection, DEFAULT_REQUEST_TIMEOUT_MS } from './client-connection';
import { ClientReadStream, ClientWriteStream } from './client-streams';
import { LoadReadStream, StoreWriteStream, storeFrom } from './node-streams';

export interface ConnectOptions {
  /** The node's home; default $MEMCLOUD_HOME, else ~/.memcloud. Ignored when `path` is given. */
  readonly home?: string;
  /** The control socket (or Windows pipe) itself. */
  readonly path?: string;
  /** Unacknowledged stream bytes in flight, each direction; 1 .. 8 MiB, default 8 MiB. */
  readonly streamWindow?: number;
  /** Default 5000. */
  readonly connectTimeoutMs?: number;
  /**
   * How long a request may go unanswered before it fails with TIMEOUT (the node is hung); default
   * 5 minutes. Transfers (pushFile, pullFile) and flush run as long as their data needs: they get
   * max(this, 24 hours), and the node bounds each of their steps itself.
   */
  readonly requestTimeoutMs?: number;
}

/** Ends a call early: its transfer is cancelled on the node. */
export interface Abortable {
  readonly signal?: AbortSignal;
}

export class MemCloud implements EngineApi {
  private unsubscribeAll: (() => void) | null = null;
  private subscription: Promise<void> | null = null;
  private readonly listeners = new Set<(event: EngineEvent) => void>();

  private constructor(
    private readonly conn: ClientConnection,
    private readonly window: number,
    /** The control socket this client is attached to. */
    readonly path: string,
  ) {}

  /** Rejects with NODE_NOT_RUNNING when no node serves that home. */
  static async connect(opts: ConnectOptions = {}): Promise<MemCloud> {
    const window = opts.streamWindow ?? DEFAULT_STREAM_WINDOW;
    if (!Number.isInteger(window) || window < 1 || window > MAX_STREAM_WINDOW) {
      throw new MemCloudError(ErrorCodes.BAD_ARGUMENT, `options.streamWindow must be an integer in 1..${MAX_STREAM_WINDOW}`);
    }
    const timeout = opts.connectTimeoutMs ?? 5000;
    if (!Number.isFinite(timeout) || timeout <= 0) {
      throw new MemCloudError(ErrorCodes.BAD_ARGUMENT, 'options.connectTimeoutMs must be a positive number');
    }
    const requestTimeout = opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    if (!Number.isFinite(requestTimeout) || requestTimeout <= 0) {
      throw new MemCloudError(ErrorCodes.BAD_ARGUMENT, 'options.requestTimeoutMs must be a positive number');
    }
    const path = opts.path ?? (await controlEndpoint(resolveHome(opts.home === undefined ? {} : { home: opts.home })));
    return new MemCloud(await ClientConnection.open(path, timeout, requestTimeout), window, path);
  }

  /** Closes the connection; calls still pending fail with CHANNEL_CLOSED. Idempotent. */
  close(): Promise<void> {
    return this.conn.close();
  }

  /** Called once when the connection ends: `err` null after close(), else why (e.g. the node stopped). */
  onClose(listener: (err: MemCloudError | null) => void): () => void {
    return this.conn.onClose(listener);
  }

  status(): Promise<NodeStatus> {
    return this.conn.call('status', []);
  }
  stats(): Promise<Stats> {
    return this.conn.call('stats', []);
  }

  store(data: Uint8Array, opts?: StoreOptions): Promise<BlockRef> {
    return this.conn.call('store', [data, opts]);
  }
  load(id: string): Promise<Uint8Array> {
    return this.conn.call('load', [id]);
  }
  free(id: string): Promise<void> {
    return this.conn.call('free', [id]);
  }

  set(key: string, value: Uint8Array, opts?: StoreOptions): Promise<void> {
    return this.conn.call('set', [key, value, opts]);
  }
  get(key: string): Promise<Uint8Array> {
    return this.conn.call('get', [key]);
  }
  del(key: string): Promise<boolean> {
    return this.conn.call('del', [key]);
  }
  keys(pattern?: string): Promise<string[]> {
    return this.conn.call('keys', [pattern]);
  }

  async openWriteStream(opts?: StoreOptions): Promise<WriteStreamHandle> {
    const { stream, id } = await this.conn.call('openWriteStream', [opts]);
    return new ClientWriteStream(this.conn, stream, id, this.window);
  }
  async openReadStream(id: string): Promise<ReadStreamHandle> {
    const { stream, info } = await this.conn.call('openReadStream', [id, this.window]);
    return new ClientReadStream(this.conn, stream, info);
  }

  /** A Writable that stores what is written as one stream; see StoreWriteStream.done. */
  createWriteStream(opts?: StoreOptions): StoreWriteStream {
    return new StoreWriteStream(() => this.openWriteStream(opts));
  }
  /** Stores a whole readable source (a Node Readable or any async iterable of bytes). */
  storeStream(source: Readable | AsyncIterable<Uint8Array>, opts?: StoreOptions): Promise<StreamInfo> {
    return storeFrom(source as AsyncIterable<Uint8Array | string>, () => this.openWriteStream(opts));
  }
  /** A Readable of a stored stream, with backpressure; emits 'info' once open. */
  loadStream(id: string): LoadReadStream {
    return new LoadReadStream(() => this.openReadStream(id));
  }

  /** `signal` ends the push at once (CANCELLED); nothing of it stays stored. */
  pushFile(path: string, opts: FileTransferOptions & Abortable = {}): Promise<PushInfo> {
    const { signal, ...rest } = opts;
    return abortableTransfer(signal, rest.transferId, (t) => this.cancelTransfer(t), (transferId) =>
      this.conn.call('pushFile', [path, transferId === undefined ? rest : { ...rest, transferId }]),
    );
  }
  /** `signal` ends the pull at once (CANCELLED); the target is left as it was. */
  pullFile(id: string, path: string, opts: { readonly transferId?: string } & Abortable = {}): Promise<StreamInfo> {
    const { signal, ...rest } = opts;
    return abortableTransfer(signal, rest.transferId, (t) => this.cancelTransfer(t), (transferId) =>
      this.conn.call('pullFile', [id, path, transferId === undefined ? rest : { ...rest, transferId }]),
    );
  }
  cancelTransfer(transferId: string): Promise<void> {
    return this.conn.call('cancelTransfer', [transferId]);
  }
  listData(): Promise<DataItem[]> {
    return this.conn.call('listData', []);
  }
  flush(): Promise<{ readonly freedItems: number }> {
    return this.conn.call('flush', []);
  }

  peers(): Promise<PeerInfo[]> {
    return this.conn.call('peers', []);
  }
  connect(address: string, opts?: { readonly expectedKey?: string }): Promise<PeerInfo> {
    return this.conn.call('connect', [address, opts]);
  }
  disconnect(peer: string): Promise<void> {
    return this.conn.call('disconnect', [peer]);
  }
  updatePeer(peer: string, opts: { readonly allowedBytes: number }): Promise<PeerInfo> {
    return this.conn.call('updatePeer', [peer, opts]);
  }

  trustList(): Promise<TrustedDeviceInfo[]> {
    return this.conn.call('trustList', []);
  }
  trustAdd(publicKey: string, opts?: { readonly name?: string; readonly approval?: 'cli' | 'extension' }): Promise<TrustedDeviceInfo> {
    return this.conn.call('trustAdd', [publicKey, opts]);
  }
  trustRemove(device: string, opts?: { readonly forget?: boolean }): Promise<TrustedDeviceInfo> {
    return this.conn.call('trustRemove', opts === undefined ? [device] : [device, opts]);
  }
  trustRename(device: string, name: string): Promise<TrustedDeviceInfo> {
    return this.conn.call('trustRename', [device, name]);
  }

  consentList(): Promise<ConsentRequestInfo[]> {
    return this.conn.call('consentList', []);
  }
  consentAnswer(id: string, answer: ConsentAnswer): Promise<void> {
    return this.conn.call('consentAnswer', [id, answer]);
  }

  setOffer(bytes: number): Promise<void> {
    return this.conn.call('setOffer', [bytes]);
  }
  logs(opts?: { readonly lines?: number }): Promise<LogEntry[]> {
    return this.conn.call('logs', [opts]);
  }
  shutdown(): Promise<void> {
    return this.conn.call('shutdown', []);
  }

  cacheStart(opts?: BuildCacheStartOptions): Promise<BuildCacheStatus> {
    return this.conn.call('cacheStart', [opts]);
  }
  cacheStop(): Promise<BuildCacheStatus> {
    return this.conn.call('cacheStop', []);
  }
  cacheStatus(): Promise<BuildCacheStatus> {
    return this.conn.call('cacheStatus', []);
  }
  cacheEnv(): Promise<BuildCacheEnv> {
    return this.conn.call('cacheEnv', []);
  }
  cacheClear(): Promise<{ readonly freedEntries: number }> {
    return this.conn.call('cacheClear', []);
  }

  /** Events pushed by the node. The node is asked for them while at least one listener is registered. */
  subscribe(listener: (event: EngineEvent) => void): () => void {
    this.listeners.add(listener);
    if (this.unsubscribeAll === null) {
      this.unsubscribeAll = this.conn.onEvent((event) => {
        for (const l of [...this.listeners]) l(event);
      });
      this.subscription = this.conn.call('subscribe', []);
      this.subscription.catch(() => {});
    }
    return () => {
      if (!this.listeners.delete(listener) || this.listeners.size > 0 || this.unsubscribeAll === null) return;
      this.unsubscribeAll();
      this.unsubscribeAll = null;
      this.subscription = null;
      if (!this.conn.closed) this.conn.call('unsubscribe', []).catch(() => {});
    };
  }

  /** Resolves once the node has confirmed the subscription: events from then on are delivered. */
  subscribed(): Promise<void> {
    return this.subscription ?? Promise.reject(new MemCloudError(ErrorCodes.BAD_ARGUMENT, 'no subscription: call subscribe() first'));
  }
}
