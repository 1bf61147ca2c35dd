// The engine's public data model: what the control socket, the SDK, the CLI and the VS Code
// extension see. Plain JSON-safe values (strings, numbers, booleans, arrays, objects); binary
// payloads are Uint8Array and travel as raw bytes. Sizes are bytes; times are ms since the epoch.

export type Durability = 'pinned' | 'cache';

export interface StoreOptions {
  /** pinned (default): never evicted, refused when full. cache: evictable (sampled LRU). */
  readonly durability?: Durability;
  /** Copies on distinct peers; default 2 when two or more peers are connected, else 1. */
  readonly replicas?: number;
  /** 'auto' (default): peers when any are connected, else this node. */
  readonly target?: 'auto' | 'local' | 'remote';
  /** A label shown in listings (the file name for pushes). */
  readonly name?: string;
}

/**
 * ReplicaInfo.holder of a copy in this node's own RAM (peers are named by their key text). Each UI
 * decides how to show it; holderName carries 'this node' only for older clients.
 */
export const LOCAL_HOLDER = 'local';

export interface ReplicaInfo {
  /** LOCAL_HOLDER ('local') or the holder's public key text. */
  readonly holder: string;
  readonly holderName: string;
}

export interface BlockRef {
  readonly id: string;
  readonly size: number;
  readonly replicas: readonly ReplicaInfo[];
}

/** What a file or folder push stored, and what it could not store. */
export interface PushInfo extends StreamInfo {
  /** Paths inside a pushed folder, relative to it, of what cannot be stored (FIFOs, sockets, devices); absent when none. */
  readonly skipped?: readonly string[];
}

/** One thing this node has offloaded or stored: a block, a key, a stream (pushed file), or the build cache. */
export type ItemState = 'ok' | 'degraded' | 'evicted';

export interface DataItem {
  readonly id: string;
  readonly kind: 'block' | 'key' | 'stream' | 'cache';
  readonly name: string;
  readonly size: number;
  readonly durability: Durability;
  readonly createdAt: number;
  readonly replicas: readonly ReplicaInfo[];
  /** Fewer live replicas than wanted (a holder is gone and re-replication is pending or failed). */
  readonly degraded: boolean;
  /**
   * ok; degraded (fewer live replicas than wanted, or a stream chunk lost); evicted (a cache item
   * whose data the lenders evicted: it can no longer be read, only freed or written again).
   */
  readonly state: ItemState;
  /** Streams only: a pushed file's bytes, or a folder (restored as a folder). */
  readonly format?: 'file' | 'folder';
  /** The build cache only: how many entries it holds (freeing the item clears them all). */
  readonly entries?: number;
}

export interface StreamInfo {
  readonly id: string;
  readonly name: string;
  readonly size: number;
  readonly chunks: number;
  /** SHA-256 over the SHA-256 digests of its 1 MiB chunks, in order (hex). */
  readonly digest: string;
  /** What was pushed: a file's bytes, or a folder (restored as a folder). */
  readonly format: 'file' | 'folder';
  /** Where its chunks are (every holder of any chunk). */
  readonly replicas: readonly ReplicaInfo[];
}

export type PeerState = 'discovered' | 'connecting' | 'connected' | 'pending-consent' | 'disconnected';

export interface PeerInfo {
  readonly publicKey: string;
  readonly fingerprint: string;
  readonly name: string;
  readonly state: PeerState;
  readonly addresses: readonly string[];
  readonly trusted: boolean;
  /** RAM the peer offers to the pool (from its handshake or discovery record). */
  readonly offeredBytes: number;
  /** This node as owner: what we have stored on that holder (charged bytes). */
  readonly usedByUsBytes: number;
  /** This node as holder: what that owner has stored here, and what we allow it. */
  readonly storedHereBytes: number;
  readonly allowedBytes: number;
  readonly latencyMs: number | null;
  readonly direction: 'inbound' | 'outbound' | null;
  /** Connected and admitted by this team's certificate (its name; peer text, escape it to show). */
  readonly team?: string;
  /** Pending consent request id when state is pending-consent. */
  readonly consentId?: string;
  /**
   * On a device we do not trust whose name looks like a trusted device's (the confusable skeleton
   * of docs/protocol.md 3.3.1) or quotes its fingerprint: that trusted device's fingerprint.
   */
  readonly nameMatchesTrustedFingerprint?: string;
}

export interface TrustedDeviceInfo {
  readonly publicKey: string;
  readonly fingerprint: string;
  readonly name: string;
  readonly firstSeen: string;
  readonly lastSeen: string;
  readonly approval: string;
  readonly status: 'trusted' | 'revoked';
  readonly allowedBytes: number | null;
  readonly connected: boolean;
}

export interface ConsentRequestInfo {
  readonly id: string;
  readonly publicKey: string;
  readonly fingerprint: string;
  readonly name: string;
  readonly address: string;
  readonly offeredBytes: number;
  readonly direction: 'inbound' | 'outbound';
  readonly nameMatchesTrustedFingerprint?: string;
  readonly createdAt: number;
  readonly expiresAt: number;
}

export type ConsentAnswer = 'once' | 'always' | 'deny';

export interface NodeStatus {
  readonly name: string;
  readonly publicKey: string;
  readonly fingerprint: string;
  readonly version: string;
  readonly pid: number;
  readonly home: string;
  readonly listen: { readonly host: string; readonly port: number };
  readonly startedAt: number;
  readonly offeredBytes: number;
  readonly memoryBytes: number;
  /** The crypto backend running (docs/architecture.md, crypto): native, portable or noble. */
  readonly crypto: 'native' | 'portable' | 'noble';
  readonly discovery: boolean;
  /** Teams (docs/protocol.md section 12): the team this device is a member of, and the teams it trusts. */
  readonly teams?: { readonly member: string | null; readonly trusted: readonly string[] };
  /** Set while trusted_devices.json cannot be used: no new session is admitted until it is fixed. */
  readonly trustFileProblem?: TrustFileProblemInfo;
  /** Set while team.json cannot be used: no device is admitted by a team certificate until it is fixed. */
  readonly teamFileProblem?: TrustFileProblemInfo;
}

export interface TrustFileProblemInfo {
  readonly code: 'TRUST_STORE_CORRUPT' | 'TRUST_STORE_UNREADABLE';
  /** The file's path. */
  readonly path: string;
  /** Which file, what is wrong with it, and how to fix it. */
  readonly message: string;
  /** ms since the epoch when the problem was first seen. */
  readonly since: number;
}

export interface Stats {
  readonly at: number;
  /** Everything stored in this node's RAM: our own local data plus what peers stored here. */
  readonly local: { readonly usedBytes: number; readonly capacityBytes: number; readonly blocks: number; readonly pinnedBytes: number; readonly cacheBytes: number };
  /** This node as holder: what owners store here, in total and against what we offer. */
  readonly lent: { readonly usedBytes: number; readonly offeredBytes: number; readonly peers: number };
  /** This node as owner: what we have placed on holders (replicas counted, charged bytes). */
  readonly borrowed: { readonly usedBytes: number; readonly items: number; readonly degraded: number };
  /** Sum of connected peers' offers: the pool available to us. */
  readonly pool: { readonly offeredBytes: number; readonly connectedPeers: number };
  /** Bytes per second over the last few seconds, all sessions. */
  readonly throughput: { readonly sentPerSec: number; readonly receivedPerSec: number };
  readonly ops: { readonly total: number; readonly perSec: number };
  readonly evictions: number;
}

/** Progress of a long transfer (push, pull, offload, restore). */
export interface TransferProgress {
  readonly transferId: string;
  readonly direction: 'push' | 'pull';
  readonly doneBytes: number;
  readonly totalBytes: number | null;
}

export interface LogEntry {
  readonly at: number;
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly message: string;
}

/** Server-pushed events a client can subscribe to. */
export type EngineEvent =
  | { readonly type: 'consent-request'; readonly request: ConsentRequestInfo }
  | { readonly type: 'consent-resolved'; readonly id: string; readonly outcome: ConsentAnswer | 'expired' | 'cancelled' }
  | { readonly type: 'peers-changed' }
  | { readonly type: 'trust-changed' }
  | { readonly type: 'data-changed' }
  /** The build-cache endpoint started, stopped or was cleared. */
  | { readonly type: 'cache-changed' }
  | { readonly type: 'progress'; readonly progress: TransferProgress }
  | { readonly type: 'log'; readonly entry: LogEntry }
  /** requested: someone stopped the node (memcloud node stop, Stop Node); host-exit: its host is going away. */
  | { readonly type: 'stopping'; readonly reason: StopReason };

export type StopReason = 'requested' | 'host-exit';

export type EngineEventType = EngineEvent['type'];
