// Schemas of the engine's data model (engine/api/types.ts): the JSON ops of the control socket and
// the dashboard's messages validate with these. Request options are strict; results and events are
// lenient (see schema.ts). Each data schema is typed against the engine's own type, so the compiler
// flags a field that changes there.

import type { BuildCacheEnv, BuildCacheProtocolStats, BuildCacheStatus } from './build-cache-types';
import type { FileTransferOptions } from './engine-api';
import type { DataItem, NodeStatus, PeerInfo, Stats, StoreOptions } from './types';
import { arr, bool, int, literal, nullable, num, obj, rule, str, tagged, text, u32, type Schema } from './schema';

const strict = 'strict' as const;

/** Copies of one item on distinct holders, at most. */
export const MAX_REPLICAS = 16;
/** A stored item's label (a pushed file's name), in UTF-16 units. */
export const MAX_ITEM_NAME = 256;

/** StoreOptions' rules, written once: the control socket and the in-process API check these. */
const storeOptionFields = {
  durability: rule(literal('pinned', 'cache'), 'durability must be "pinned" or "cache"'),
  replicas: rule(int(1, MAX_REPLICAS), `replicas must be an integer from 1 to ${MAX_REPLICAS}`),
  target: rule(literal('auto', 'local', 'remote'), 'target must be auto, local or remote'),
  name: rule(text(MAX_ITEM_NAME), `a name must be at most ${MAX_ITEM_NAME} characters`),
};
export const storeOptions: Schema<StoreOptions> = obj({}, storeOptionFields, strict);
export const fileTransferOptions: Schema<FileTransferOptions> = obj({}, { ...storeOptionFields, transferId: str }, strict);
export const transferIdOptions = obj({}, { transferId: str }, strict);
export const connectOptions = obj({}, { expectedKey: str }, strict);
export const updatePeerOptions = obj({ allowedBytes: num }, {}, strict);
export const trustAddOptions = obj({}, { name: str, approval: literal('cli', 'extension') }, strict);
export const trustRemoveOptions = obj({}, { forget: bool }, strict);
export const logsOptions = obj({}, { lines: num }, strict);
export const consentAnswer = literal('once', 'always', 'deny');

const replicaInfo = obj({ holder: str, holderName: str });

const streamInfoFields = { id: str, name: str, size: num, chunks: num, digest: str, format: literal('file', 'folder'), replicas: arr(replicaInfo) };
export const streamInfo = obj(streamInfoFields);
export const pushInfo = obj(streamInfoFields, { skipped: arr(str) });

const trustFileProblem = obj({ code: literal('TRUST_STORE_CORRUPT', 'TRUST_STORE_UNREADABLE'), path: str, message: str, since: num });

export const nodeStatus: Schema<NodeStatus> = obj({
  name: str,
  publicKey: str,
  fingerprint: str,
  version: str,
  pid: num,
  home: str,
  listen: obj({ host: str, port: num }),
  startedAt: num,
  offeredBytes: num,
  memoryBytes: num,
  crypto: literal('native', 'portable', 'noble'),
  discovery: bool,
}, { trustFileProblem, teamFileProblem: trustFileProblem, teams: obj({ member: nullable(str), trusted: arr(str) }) });

export const stats: Schema<Stats> = obj({
  at: num,
  local: obj({ usedBytes: num, capacityBytes: num, blocks: num, pinnedBytes: num, cacheBytes: num }),
  lent: obj({ usedBytes: num, offeredBytes: num, peers: num }),
  borrowed: obj({ usedBytes: num, items: num, degraded: num }),
  pool: obj({ offeredBytes: num, connectedPeers: num }),
  throughput: obj({ sentPerSec: num, receivedPerSec: num }),
  ops: obj({ total: num, perSec: num }),
  evictions: num,
});

export const dataItem: Schema<DataItem> = obj(
  {
    id: str,
    kind: literal('block', 'key', 'stream', 'cache'),
    name: str,
    size: num,
    durability: literal('pinned', 'cache'),
    createdAt: num,
    replicas: arr(replicaInfo),
    degraded: bool,
    state: literal('ok', 'degraded', 'evicted'),
  },
  { format: literal('file', 'folder'), entries: num },
);

export const peerInfo: Schema<PeerInfo> = obj(
  {
    publicKey: str,
    fingerprint: str,
    name: str,
    state: literal('discovered', 'connecting', 'connected', 'pending-consent', 'disconnected'),
    addresses: arr(str),
    trusted: bool,
    offeredBytes: num,
    usedByUsBytes: num,
    storedHereBytes: num,
    allowedBytes: num,
    latencyMs: nullable(num),
    direction: nullable(literal('inbound', 'outbound')),
  },
  { consentId: str, team: str, nameMatchesTrustedFingerprint: str },
);

export const trustedDeviceInfo = obj({
  publicKey: str,
  fingerprint: str,
  name: str,
  firstSeen: str,
  lastSeen: str,
  approval: str,
  status: literal('trusted', 'revoked'),
  allowedBytes: nullable(num),
  connected: bool,
});

export const consentRequestInfo = obj(
  {
    id: str,
    publicKey: str,
    fingerprint: str,
    name: str,
    address: str,
    offeredBytes: num,
    direction: literal('inbound', 'outbound'),
    createdAt: num,
    expiresAt: num,
  },
  { nameMatchesTrustedFingerprint: str },
);

export const logEntry = obj({ at: num, level: literal('debug', 'info', 'warn', 'error'), message: str });

export const engineEvent = tagged({
  'consent-request': obj({ type: literal('consent-request'), request: consentRequestInfo }),
  'consent-resolved': obj({
    type: literal('consent-resolved'),
    id: str,
    outcome: literal('once', 'always', 'deny', 'expired', 'cancelled'),
  }),
  'peers-changed': obj({ type: literal('peers-changed') }),
  'trust-changed': obj({ type: literal('trust-changed') }),
  'data-changed': obj({ type: literal('data-changed') }),
  'cache-changed': obj({ type: literal('cache-changed') }),
  progress: obj({
    type: literal('progress'),
    progress: obj({ transferId: str, direction: literal('push', 'pull'), doneBytes: num, totalBytes: nullable(num) }),
  }),
  log: obj({ type: literal('log'), entry: logEntry }),
  stopping: obj({ type: literal('stopping'), reason: literal('requested', 'host-exit') }),
});

export const flushResult = obj({ freedItems: num });
export const openedWriteStream = obj({ stream: u32, id: str });
export const openedReadStream = obj({ stream: u32, info: streamInfo });
export const errorPayload = obj({ code: str, message: str });

export const cacheStartOptions = obj({}, { port: u32, upstream: nullable(str) }, strict);
export const cacheClearResult = obj({ freedEntries: num });

const cacheProtocolStats: Schema<BuildCacheProtocolStats> = obj({ hits: num, misses: num, fallbacks: num, puts: num, rejected: num, bytesIn: num, bytesOut: num });

export const buildCacheStatus: Schema<BuildCacheStatus> = obj({
  running: bool,
  url: nullable(str),
  port: nullable(num),
  upstream: nullable(str),
  startedAt: nullable(num),
  entries: num,
  bytes: num,
  maxEntryBytes: num,
  protocols: obj({ turbo: cacheProtocolStats, nx: cacheProtocolStats, ccache: cacheProtocolStats, bazel: cacheProtocolStats, gradle: cacheProtocolStats }),
  upstreamStats: obj({ hits: num, misses: num, errors: num, written: num, dropped: num, queued: num }),
  turboEvents: obj({ localHits: num, localMisses: num, remoteHits: num, remoteMisses: num }),
});

export const buildCacheEnv: Schema<BuildCacheEnv> = obj({
  url: str,
  vars: arr(obj({ name: str, value: str })),
  bazelFlags: arr(str),
  gradleInitScript: str,
});
