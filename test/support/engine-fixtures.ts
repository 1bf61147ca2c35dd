// Canned engine results for the control socket tests: every field of every type, including the
// awkward ones (null, optional fields present and absent, non-ASCII text).

import type { BuildCacheEnv, BuildCacheStatus } from '../../engine/api/build-cache-types';
import type {
  ConsentRequestInfo,
  DataItem,
  LogEntry,
  NodeStatus,
  PeerInfo,
  Stats,
  StreamInfo,
  TrustedDeviceInfo,
} from '../../engine/api/types';

export const nodeStatus: NodeStatus = {
  name: 'laptop',
  publicKey: 'mc1-pk-laptop',
  fingerprint: 'AB12-CD34',
  version: '0.1.0',
  pid: 4242,
  home: '/home/u/.memcloud',
  listen: { host: '0.0.0.0', port: 7071 },
  startedAt: 1_700_000_000_000,
  offeredBytes: 2 ** 33,
  memoryBytes: 12_345_678,
  crypto: 'native',
  discovery: true,
};

export const peer: PeerInfo = {
  publicKey: 'mc1-pk-desktop',
  fingerprint: 'EF56-7890',
  name: 'desktop',
  state: 'connected',
  addresses: ['192.168.1.20:7071', '[fe80::1]:7071'],
  trusted: true,
  offeredBytes: 4 * 2 ** 30,
  usedByUsBytes: 1024,
  storedHereBytes: 0,
  allowedBytes: 2 ** 30,
  latencyMs: 0.42,
  direction: 'outbound',
};

export const pendingPeer: PeerInfo = {
  ...peer,
  publicKey: 'mc1-pk-visitor',
  name: 'visitor ☕',
  state: 'pending-consent',
  trusted: false,
  latencyMs: null,
  direction: null,
  addresses: [],
  consentId: 'c-1',
};

export const trusted: TrustedDeviceInfo = {
  publicKey: 'mc1-pk-desktop',
  fingerprint: 'EF56-7890',
  name: 'desktop',
  firstSeen: '2024-01-01T00:00:00.000Z',
  lastSeen: '2024-02-01T00:00:00.000Z',
  approval: 'cli',
  status: 'trusted',
  allowedBytes: null,
  connected: true,
};

export const consent: ConsentRequestInfo = {
  id: 'c-1',
  publicKey: 'mc1-pk-visitor',
  fingerprint: '1111-2222',
  name: 'desktop',
  address: '192.168.1.30:51000',
  offeredBytes: 0,
  direction: 'inbound',
  nameMatchesTrustedFingerprint: 'EF56-7890',
  createdAt: 1_700_000_000_000,
  expiresAt: 1_700_000_060_000,
};

export const streamInfo: StreamInfo = { id: 's-file', name: 'f.bin', size: 10, chunks: 1, digest: 'ab'.repeat(32), format: 'file', replicas: [{ holder: 'local', holderName: 'this node' }] };

export const dataItems: DataItem[] = [
  { id: 'b1', kind: 'block', name: '', size: 5, durability: 'pinned', createdAt: 1, replicas: [], degraded: false, state: 'ok' },
  {
    id: 'k1',
    kind: 'key',
    name: 'user:1',
    size: 7,
    durability: 'cache',
    createdAt: 2,
    replicas: [{ holder: 'mc1-pk-desktop', holderName: 'desktop' }],
    degraded: true, state: 'degraded',
  },
];

export const logEntries: LogEntry[] = [
  { at: 1, level: 'info', message: 'started' },
  { at: 2, level: 'warn', message: 'peer slow' },
  { at: 3, level: 'error', message: 'oops "quoted"' },
];

export const stats: Stats = {
  at: 1_700_000_000_123,
  local: { usedBytes: 10, capacityBytes: 2 ** 34, blocks: 2, pinnedBytes: 6, cacheBytes: 4 },
  lent: { usedBytes: 0, offeredBytes: 2 ** 33, peers: 0 },
  borrowed: { usedBytes: 1024, items: 1, degraded: 0 },
  pool: { offeredBytes: 4 * 2 ** 30, connectedPeers: 1 },
  throughput: { sentPerSec: 1.5, receivedPerSec: 0 },
  ops: { total: 99, perSec: 3.25 },
  evictions: 0,
};

const noTraffic = { hits: 0, misses: 0, fallbacks: 0, puts: 0, rejected: 0, bytesIn: 0, bytesOut: 0 };

export const buildCacheStatus: BuildCacheStatus = {
  running: true,
  url: 'http://127.0.0.1:7798',
  port: 7798,
  upstream: 'redis://:***@10.0.0.5:6379',
  startedAt: 1_700_000_000_000,
  entries: 12,
  bytes: 3 * 2 ** 20,
  maxEntryBytes: 512 * 2 ** 20,
  protocols: { turbo: { ...noTraffic, hits: 3, misses: 1, bytesOut: 2048 }, nx: noTraffic, ccache: { ...noTraffic, puts: 9 }, bazel: noTraffic, gradle: noTraffic },
  upstreamStats: { hits: 1, misses: 0, errors: 2, written: 5, dropped: 0, queued: 1 },
  turboEvents: { localHits: 0, localMisses: 1, remoteHits: 3, remoteMisses: 1 },
};

export const buildCacheEnv: BuildCacheEnv = {
  url: 'http://127.0.0.1:7798',
  vars: [{ name: 'TURBO_API', value: 'http://127.0.0.1:7798' }],
  bazelFlags: ['--remote_cache=http://127.0.0.1:7798'],
  gradleInitScript: '/h/memcloud-init.gradle',
};
