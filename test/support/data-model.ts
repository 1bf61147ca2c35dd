// Builders for the engine API's data model, as a node reports it: one complete, valid value per
// type with every field set, and a test overrides only the fields it is about. Tests that
// rebuilt these literals field by field drifted from the types (a new field missing in half of
// them); test/support/kit.test.ts fails on such local copies in the extension and webview tests.

import type { BuildCacheStatus } from '../../engine/api/build-cache-types';
import type { DataItem, NodeStatus, PeerInfo, Stats, TrustedDeviceInfo } from '../../engine/api/types';

const MiB = 1024 ** 2;
const GiB = 1024 ** 3;

/** A connected, trusted peer with an outbound session. */
export function aPeer(over: Partial<PeerInfo> = {}): PeerInfo {
  return {
    publicKey: 'K'.repeat(43),
    fingerprint: '7K3Q-MX2A-P9RT-4WZC',
    name: 'desk',
    state: 'connected',
    addresses: ['192.168.1.20:7797'],
    trusted: true,
    offeredBytes: 4 * GiB,
    usedByUsBytes: 64 * MiB,
    storedHereBytes: 0,
    allowedBytes: GiB,
    latencyMs: 3.2,
    direction: 'outbound',
    ...over,
  };
}

/** A device seen on the network, not trusted, no session. */
export function aDiscoveredPeer(over: Partial<PeerInfo> = {}): PeerInfo {
  return aPeer({ state: 'discovered', trusted: false, usedByUsBytes: 0, allowedBytes: 0, latencyMs: null, direction: null, ...over });
}

export function aTrustedDevice(over: Partial<TrustedDeviceInfo> = {}): TrustedDeviceInfo {
  return {
    publicKey: 'K'.repeat(43),
    fingerprint: '7K3Q-MX2A-P9RT-4WZC',
    name: 'desk',
    firstSeen: '2025-06-01T10:00:00.000Z',
    lastSeen: '2025-06-03T11:22:33.000Z',
    approval: 'extension',
    status: 'trusted',
    allowedBytes: null,
    connected: true,
    ...over,
  };
}

/** A pushed file held on two peers. */
export function aDataItem(over: Partial<DataItem> = {}): DataItem {
  return {
    id: 'abc123',
    kind: 'stream',
    name: 'big.iso',
    size: 64 * MiB,
    durability: 'pinned',
    createdAt: Date.UTC(2025, 5, 1, 12, 0),
    replicas: [
      { holder: 'K1', holderName: 'desk' },
      { holder: 'K2', holderName: 'nas' },
    ],
    degraded: false,
    state: 'ok',
    ...over,
  };
}

export function aNodeStatus(over: Partial<NodeStatus> = {}): NodeStatus {
  return {
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
    ...over,
  };
}

type StatsOverrides = { readonly [K in keyof Stats]?: Stats[K] extends object ? Partial<Stats[K]> : Stats[K] };

/** Stats with no traffic; each section given is merged into the default one (`{ local: { usedBytes: 5 } }`). */
export function aStats(over: StatsOverrides = {}): Stats {
  return {
    at: over.at ?? 1_700_000_000_000,
    local: { usedBytes: 0, capacityBytes: GiB, blocks: 0, pinnedBytes: 0, cacheBytes: 0, ...over.local },
    lent: { usedBytes: 0, offeredBytes: 0, peers: 0, ...over.lent },
    borrowed: { usedBytes: 0, items: 0, degraded: 0, ...over.borrowed },
    pool: { offeredBytes: 0, connectedPeers: 0, ...over.pool },
    throughput: { sentPerSec: 0, receivedPerSec: 0, ...over.throughput },
    ops: { total: 0, perSec: 0, ...over.ops },
    evictions: over.evictions ?? 0,
  };
}

const noTraffic = { hits: 0, misses: 0, fallbacks: 0, puts: 0, rejected: 0, bytesIn: 0, bytesOut: 0 };

/** A running build-cache endpoint with no traffic yet. */
export function aBuildCache(over: Partial<BuildCacheStatus> = {}): BuildCacheStatus {
  return {
    running: true,
    url: 'http://127.0.0.1:7798',
    port: 7798,
    upstream: null,
    startedAt: 1000,
    entries: 0,
    bytes: 0,
    maxEntryBytes: 512 * MiB,
    protocols: { turbo: noTraffic, nx: noTraffic, ccache: noTraffic, bazel: noTraffic, gradle: noTraffic },
    upstreamStats: { hits: 0, misses: 0, errors: 0, written: 0, dropped: 0, queued: 0 },
    turboEvents: { localHits: 0, localMisses: 0, remoteHits: 0, remoteMisses: 0 },
    ...over,
  };
}

/** Per-protocol counters with every field zero, to override: `{ ...NO_TRAFFIC, hits: 3 }`. */
export const NO_TRAFFIC = noTraffic;
