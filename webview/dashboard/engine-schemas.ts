// Schemas for the parts of the engine's data model (engine/api/types.ts) the dashboard shows.
// Lenient objects: a newer node may add fields. Each schema is typed against the engine's own type,
// so the compiler flags a field that changes there.

import type { DataItem, NodeStatus, PeerInfo, Stats } from '../../engine/api/types';
import { arr, bool, literal, nullable, num, obj, str, type Schema } from './validate';

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
  crypto: literal('noble', 'native'),
  discovery: bool,
});

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

export const peerInfo: Schema<PeerInfo> = obj(
  {
    publicKey: str,
    fingerprint: str,
    name: str,
    state: literal('discovered', 'connecting', 'connected', 'pending-consent', 'disconnected'),
    addresses: arr(str, 64),
    trusted: bool,
    offeredBytes: num,
    usedByUsBytes: num,
    storedHereBytes: num,
    allowedBytes: num,
    latencyMs: nullable(num),
    direction: nullable(literal('inbound', 'outbound')),
  },
  { consentId: str },
);

export const dataItem: Schema<DataItem> = obj({
  id: str,
  kind: literal('block', 'key', 'stream'),
  name: str,
  size: num,
  durability: literal('pinned', 'cache'),
  createdAt: num,
  replicas: arr(obj({ holder: str, holderName: str }), 256),
  degraded: bool,
});
