// The one API of a running engine. The control socket server exposes exactly this to clients
// (CLI, SDK, VS Code windows); the SDK client mirrors it. Every method may reject with a
// MemCloudError whose code is stable (engine/errors.ts).

import type { BuildCacheEnv, BuildCacheStartOptions, BuildCacheStatus } from './build-cache-types';
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
} from './types';

/** A stream being written into the pool. write() resolves once the chunk fits in the window. */
export interface WriteStreamHandle {
  readonly id: string;
  write(chunk: Uint8Array): Promise<void>;
  /** Waits until every chunk is stored with its replicas; returns the stream's description. */
  end(): Promise<StreamInfo>;
  /** Frees everything stored so far; nothing is left on any peer. */
  abort(): Promise<void>;
}

/** A stream read out of the pool, chunk by chunk, in order, each chunk's hash verified. */
export interface ReadStreamHandle {
  readonly info: StreamInfo;
  /** The next chunk, or null at the end. */
  read(): Promise<Uint8Array | null>;
  close(): void;
}

export interface FileTransferOptions extends StoreOptions {
  /** Receives progress events (also published as 'progress' events). */
  readonly transferId?: string;
}

export interface EngineApi {
  status(): Promise<NodeStatus>;
  stats(): Promise<Stats>;

  // Blocks (a block or value holds at most 16,769,016 bytes: data/stored-size.ts MAX_VALUE_BYTES; more is BAD_ARGUMENT)
  store(data: Uint8Array, opts?: StoreOptions): Promise<BlockRef>;
  load(id: string): Promise<Uint8Array>;
  free(id: string): Promise<void>;

  // Keys (values are blocks; overwriting a key frees the old value everywhere)
  set(key: string, value: Uint8Array, opts?: StoreOptions): Promise<void>;
  /** Rejects with NOT_FOUND for a missing key. */
  get(key: string): Promise<Uint8Array>;
  del(key: string): Promise<boolean>;
  /** Glob: * any run, ? one character, [abc] a class; e.g. user:* */
  keys(pattern?: string): Promise<string[]>;

  // Streams and files
  openWriteStream(opts?: StoreOptions): Promise<WriteStreamHandle>;
  openReadStream(id: string): Promise<ReadStreamHandle>;
  /** The node reads the file itself (same user), so the data never crosses the caller's thread. */
  pushFile(path: string, opts?: FileTransferOptions): Promise<PushInfo>;
  /** Restores a stream into a file (written to a temp file, then renamed). */
  pullFile(id: string, path: string, opts?: { readonly transferId?: string }): Promise<StreamInfo>;
  /** Cancels a pushFile/pullFile in progress: nothing half-stored remains on any peer. */
  cancelTransfer(transferId: string): Promise<void>;

  /** What this node has stored or offloaded (blocks, keys, streams). */
  listData(): Promise<DataItem[]>;
  /** Frees all of this node's own data, local and on peers. Never touches peers' data. */
  flush(): Promise<{ readonly freedItems: number }>;

  // Peers
  peers(): Promise<PeerInfo[]>;
  /** host:port; with expectedKey, a different identity is refused (PEER_KEY_CHANGED). */
  connect(address: string, opts?: { readonly expectedKey?: string }): Promise<PeerInfo>;
  /** By name, fingerprint or public key. */
  disconnect(peer: string): Promise<void>;
  /** Live-updates how much the peer may store here. */
  updatePeer(peer: string, opts: { readonly allowedBytes: number }): Promise<PeerInfo>;

  // Trust
  trustList(): Promise<TrustedDeviceInfo[]>;
  trustAdd(publicKey: string, opts?: { readonly name?: string; readonly approval?: 'cli' | 'extension' }): Promise<TrustedDeviceInfo>;
  /**
   * Revokes: live sessions with the device close at once and what it stored here is dropped. With
   * forget, the entry is deleted instead of kept as revoked. Returns the device as it now is (as
   * it was, when forgotten).
   */
  trustRemove(device: string, opts?: { readonly forget?: boolean }): Promise<TrustedDeviceInfo>;
  trustRename(device: string, name: string): Promise<TrustedDeviceInfo>;

  // Consent
  consentList(): Promise<ConsentRequestInfo[]>;
  consentAnswer(id: string, answer: ConsentAnswer): Promise<void>;

  // Node
  setOffer(bytes: number): Promise<void>;
  logs(opts?: { readonly lines?: number }): Promise<LogEntry[]>;
  /** Graceful leave: peers are told first so owners re-replicate. */
  shutdown(): Promise<void>;

  // Build caches (docs/build-cache.md): the HTTP endpoint build tools use as their remote cache
  /** Opens the endpoint (idempotent); new options restart it with them. Remembered across node restarts. */
  cacheStart(opts?: BuildCacheStartOptions): Promise<BuildCacheStatus>;
  /** Closes the endpoint (its entries stay); remembered across node restarts. */
  cacheStop(): Promise<BuildCacheStatus>;
  cacheStatus(): Promise<BuildCacheStatus>;
  /** What points the build tools at the running endpoint (holds its token). CACHE_STOPPED when it is not running. */
  cacheEnv(): Promise<BuildCacheEnv>;
  /** Frees every entry of the build cache, here and on peers. */
  cacheClear(): Promise<{ readonly freedEntries: number }>;

  /** Server-pushed events. Returns the unsubscribe function. */
  subscribe(listener: (event: EngineEvent) => void): () => void;
}
