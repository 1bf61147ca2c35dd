// Engine data as a node reports it, for the dashboard's unit tests.

import type { BuildCacheStatus } from '../../../engine/api/build-cache-types';
import type { DataItem, NodeStatus, PeerInfo, Stats } from '../../../engine/api/types';
import type { DashboardState } from '../../../webview/dashboard/protocol';

const MiB = 1024 * 1024;

export const status: NodeStatus = {
  name: 'laptop',
  publicKey: 'PK-laptop',
  fingerprint: '7K3Q-MX2A-P9RT-4WZC',
  version: '0.1.0',
  pid: 4242,
  home: '/home/me/.memcloud',
  listen: { host: '0.0.0.0', port: 7797 },
  startedAt: 1_700_000_000_000,
  offeredBytes: 512 * MiB,
  memoryBytes: 1024 * MiB,
  crypto: 'native',
  discovery: true,
};

export function stats(at: number, sentPerSec = 0, receivedPerSec = 0, opsPerSec = 0): Stats {
  return {
    at,
    local: { usedBytes: 3 * MiB, capacityBytes: 1024 * MiB, blocks: 3, pinnedBytes: 3 * MiB, cacheBytes: 0 },
    lent: { usedBytes: 2 * MiB, offeredBytes: 512 * MiB, peers: 1 },
    borrowed: { usedBytes: 10 * MiB, items: 4, degraded: 0 },
    pool: { offeredBytes: 2048 * MiB, connectedPeers: 1 },
    throughput: { sentPerSec, receivedPerSec },
    ops: { total: 10, perSec: opsPerSec },
    evictions: 0,
  };
}

export const desk: PeerInfo = {
  publicKey: 'PK-desk',
  fingerprint: 'BC6J-C8VS-B3ZE-1MPZ',
  name: 'desk',
  state: 'connected',
  addresses: ['192.168.1.20:7797', '10.0.0.2:7797'],
  trusted: true,
  offeredBytes: 2048 * MiB,
  usedByUsBytes: 10 * MiB,
  storedHereBytes: 2 * MiB,
  allowedBytes: 512 * MiB,
  latencyMs: 0.4,
  direction: 'outbound',
};

export const nas: PeerInfo = {
  ...desk,
  publicKey: 'PK-nas',
  fingerprint: 'ZZZZ-YYYY-XXXX-WWWW',
  name: 'nas',
  state: 'disconnected',
  addresses: [],
  usedByUsBytes: 0,
  storedHereBytes: 0,
  latencyMs: null,
  direction: null,
};

export const pending: PeerInfo = { ...nas, publicKey: 'PK-new', name: 'stranger', state: 'pending-consent', trusted: false, consentId: 'c-1' };

export const items: DataItem[] = [
  {
    id: 's1',
    kind: 'stream',
    name: '/data/model.bin',
    size: 8 * MiB,
    durability: 'pinned',
    createdAt: 3,
    replicas: [
      { holder: 'PK-desk', holderName: 'desk' },
      { holder: 'local', holderName: 'laptop' },
    ],
    degraded: false, state: 'ok',
  },
  { id: 'user:1', kind: 'key', name: 'user:1', size: 300, durability: 'cache', createdAt: 2, replicas: [{ holder: 'PK-nas', holderName: 'nas' }], degraded: true, state: 'degraded' },
];

export function state(overrides: Partial<DashboardState> = {}): DashboardState {
  return {
    attached: true,
    status,
    stats: stats(1000, 2048, 1024, 5),
    peers: [nas, desk, pending],
    data: items,
    history: [{ at: 1000, sentPerSec: 2048, receivedPerSec: 1024, opsPerSec: 5 }],
    error: null,
    ...overrides,
  };
}

const noTraffic = { hits: 0, misses: 0, fallbacks: 0, puts: 0, rejected: 0, bytesIn: 0, bytesOut: 0 };

/** A running build-cache endpoint: 9 hits and 3 misses over two protocols, 40 entries. */
export const buildCache: BuildCacheStatus = {
  running: true,
  url: 'http://127.0.0.1:7798',
  port: 7798,
  upstream: null,
  startedAt: 1000,
  entries: 40,
  bytes: 5 * 1024 * 1024,
  maxEntryBytes: 512 * 1024 * 1024,
  protocols: { turbo: { ...noTraffic, hits: 6, misses: 2 }, nx: noTraffic, ccache: { ...noTraffic, hits: 3, misses: 1 }, bazel: noTraffic, gradle: noTraffic },
  upstreamStats: { hits: 0, misses: 0, errors: 0, written: 0, dropped: 0, queued: 0 },
  turboEvents: { localHits: 0, localMisses: 0, remoteHits: 0, remoteMisses: 0 },
};
