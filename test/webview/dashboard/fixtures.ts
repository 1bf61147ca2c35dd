// Engine data as a node reports it, for the dashboard's unit tests.

import type { BuildCacheStatus } from '../../../engine/api/build-cache-types';
import type { DataItem, NodeStatus, PeerInfo, Stats } from '../../../engine/api/types';
import type { DashboardState } from '../../../webview/dashboard/protocol';
import { NO_TRAFFIC, aBuildCache, aDataItem, aNodeStatus, aPeer, aStats } from '../../support/data-model';

const MiB = 1024 * 1024;

export const status: NodeStatus = aNodeStatus();

export function stats(at: number, sentPerSec = 0, receivedPerSec = 0, opsPerSec = 0): Stats {
  return aStats({
    at,
    local: { usedBytes: 3 * MiB, capacityBytes: 1024 * MiB, blocks: 3, pinnedBytes: 3 * MiB, cacheBytes: 0 },
    lent: { usedBytes: 2 * MiB, offeredBytes: 512 * MiB, peers: 1 },
    borrowed: { usedBytes: 10 * MiB, items: 4, degraded: 0 },
    pool: { offeredBytes: 2048 * MiB, connectedPeers: 1 },
    throughput: { sentPerSec, receivedPerSec },
    ops: { total: 10, perSec: opsPerSec },
  });
}

export const desk: PeerInfo = aPeer({
  publicKey: 'PK-desk',
  fingerprint: 'BC6J-C8VS-B3ZE-1MPZ',
  addresses: ['192.168.1.20:7797', '10.0.0.2:7797'],
  offeredBytes: 2048 * MiB,
  usedByUsBytes: 10 * MiB,
  storedHereBytes: 2 * MiB,
  allowedBytes: 512 * MiB,
  latencyMs: 0.4,
});

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
  aDataItem({
    id: 's1',
    name: '/data/model.bin',
    size: 8 * MiB,
    createdAt: 3,
    replicas: [
      { holder: 'PK-desk', holderName: 'desk' },
      { holder: 'local', holderName: 'laptop' },
    ],
  }),
  aDataItem({ id: 'user:1', kind: 'key', name: 'user:1', size: 300, durability: 'cache', createdAt: 2, replicas: [{ holder: 'PK-nas', holderName: 'nas' }], degraded: true, state: 'degraded' }),
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

/** A running build-cache endpoint: 9 hits and 3 misses over two protocols, 40 entries. */
export const buildCache: BuildCacheStatus = aBuildCache({
  entries: 40,
  bytes: 5 * 1024 * 1024,
  protocols: { turbo: { ...NO_TRAFFIC, hits: 6, misses: 2 }, nx: NO_TRAFFIC, ccache: { ...NO_TRAFFIC, hits: 3, misses: 1 }, bazel: NO_TRAFFIC, gradle: NO_TRAFFIC },
});
