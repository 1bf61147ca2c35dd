import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { EngineApi } from '../../../engine/api/engine-api';
import type { DataItem, PeerInfo, Stats, TrustedDeviceInfo } from '../../../engine/api/types';
import { NodeModel, partsFor, type ModelPart } from '../../../extension/model/node-model';

/** A fake node: counts calls, serves whatever the test puts in `state`. */
function fakeNode() {
  const calls: Record<string, number> = {};
  const state = { peers: [] as PeerInfo[], trusted: [] as TrustedDeviceInfo[], data: [] as DataItem[], at: 1, used: 0 };
  const count = (op: string) => (calls[op] = (calls[op] ?? 0) + 1);
  const stats = (): Stats =>
    ({
      at: state.at++,
      local: { usedBytes: state.used, capacityBytes: 1, blocks: 0, pinnedBytes: 0, cacheBytes: 0 },
      lent: { usedBytes: 0, offeredBytes: 0, peers: 0 },
      borrowed: { usedBytes: 0, items: 0, degraded: 0 },
      pool: { offeredBytes: 0, connectedPeers: 0 },
      throughput: { sentPerSec: 0, receivedPerSec: 0 },
      ops: { total: 0, perSec: 0 },
      evictions: 0,
    }) as Stats;
  const api = {
    status: async () => (count('status'), { name: 'laptop' }),
    stats: async () => (count('stats'), stats()),
    peers: async () => (count('peers'), state.peers),
    trustList: async () => (count('trustList'), state.trusted),
    listData: async () => (count('listData'), state.data),
    cacheStatus: async () => (count('cacheStatus'), { running: false }),
  } as unknown as EngineApi;
  return { api, calls, state };
}

const changes = (model: NodeModel) => {
  const seen: Array<ReadonlySet<ModelPart>> = [];
  model.on('change', (parts) => seen.push(parts));
  return seen;
};

describe('NodeModel', () => {
  test('attaching fetches everything once and reports the parts that changed', async () => {
    const node = fakeNode();
    node.state.peers = [{ name: 'desk' } as PeerInfo];
    const model = new NodeModel({ debounceMs: 5, pollMs: 60_000 });
    const seen = changes(model);
    model.setClient(node.api);
    await model.refresh([]);
    assert.deepEqual(node.calls, { status: 1, stats: 1, peers: 1, trustList: 1, listData: 1, cacheStatus: 1 });
    assert.deepEqual([...seen[0]!].sort(), ['cache', 'peers', 'stats', 'status']);
    assert.equal(model.snapshot.peers[0]!.name, 'desk');
    model.dispose();
  });

  test('events in a burst share one fetch; unchanged data (stats timestamps aside) fires nothing', async () => {
    const node = fakeNode();
    const model = new NodeModel({ debounceMs: 20, pollMs: 60_000 });
    model.setClient(node.api);
    await model.refresh([]);
    const seen = changes(model);
    const before = { ...node.calls };
    for (let i = 0; i < 10; i++) model.onEngineEvent({ type: 'peers-changed' });
    await model.refresh(['peers']);
    assert.equal(node.calls.peers! - before.peers!, 1, 'one fetch for the burst');
    assert.deepEqual(seen, [], 'same data: no change event');
    node.state.used = 5;
    await model.refresh(['stats']);
    assert.deepEqual(seen.map((s) => [...s]), [['stats']]);
    model.dispose();
  });

  test('a refresh asked for during a fetch runs after it', async () => {
    const node = fakeNode();
    const model = new NodeModel({ debounceMs: 1, pollMs: 60_000 });
    model.setClient(node.api);
    const first = model.refresh(['data']);
    node.state.data = [{ id: 'x' } as DataItem];
    const second = model.refresh(['data']);
    await Promise.all([first, second]);
    assert.equal(model.snapshot.data.length, 1);
    model.dispose();
  });

  test('detaching clears the snapshot (the views show their empty states)', async () => {
    const node = fakeNode();
    node.state.trusted = [{ name: 'desk' } as TrustedDeviceInfo];
    const model = new NodeModel({ debounceMs: 1, pollMs: 60_000 });
    model.setClient(node.api);
    await model.refresh([]);
    const seen = changes(model);
    model.setClient(undefined);
    assert.deepEqual(model.snapshot.trusted, []);
    assert.equal(model.snapshot.status, undefined);
    assert.ok(seen[0]!.has('trusted') && seen[0]!.has('status'));
    model.dispose();
  });

  test('failed reads keep the last known values', async () => {
    const node = fakeNode();
    node.state.peers = [{ name: 'desk' } as PeerInfo];
    const model = new NodeModel({ debounceMs: 1, pollMs: 60_000 });
    model.setClient(node.api);
    await model.refresh([]);
    (node.api as { peers: () => Promise<PeerInfo[]> }).peers = async () => {
      throw new Error('channel closed');
    };
    await model.refresh(['peers']);
    assert.equal(model.snapshot.peers[0]!.name, 'desk');
    model.dispose();
  });

  test('which events make which parts stale', () => {
    assert.deepEqual(partsFor({ type: 'trust-changed' }), ['trusted', 'peers', 'status', 'teams']);
    assert.deepEqual(partsFor({ type: 'data-changed' }), ['data', 'stats', 'peers']);
    assert.deepEqual(partsFor({ type: 'log', entry: { at: 0, level: 'info', message: 'x' } }), []);
    assert.ok(partsFor({ type: 'consent-request', request: {} as never }).includes('peers'));
  });
});
