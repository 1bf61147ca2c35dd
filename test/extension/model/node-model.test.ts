import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { NodeModel, partsFor, type ModelPart } from '../../../extension/model/node-model';
import { aBuildCache, aDataItem, aPeer, aStats, aTrustedDevice } from '../../support/data-model';
import { FakeEngine } from '../../support/fake-engine';

/** A node whose stats move (their timestamp always, bytes used when the test says) and whose lists are empty. */
function fakeNode() {
  const engine = new FakeEngine();
  const state = { at: 1, used: 0 };
  engine.state.stats = () => aStats({ at: state.at++, local: { usedBytes: state.used, capacityBytes: 1 } });
  Object.assign(engine.state, { peers: [], trusted: [], data: [] });
  engine.state.cache = aBuildCache({ running: false });
  return { api: engine, engine, state };
}

const changes = (model: NodeModel) => {
  const seen: Array<ReadonlySet<ModelPart>> = [];
  model.on('change', (parts) => seen.push(parts));
  return seen;
};

describe('NodeModel', () => {
  test('attaching fetches everything once and reports the parts that changed', async () => {
    const node = fakeNode();
    node.engine.state.peers = [aPeer({ name: 'desk' })];
    const model = new NodeModel({ debounceMs: 5, pollMs: 60_000 });
    const seen = changes(model);
    model.setClient(node.api);
    await model.refresh([]);
    assert.deepEqual(node.engine.tally(), { status: 1, stats: 1, peers: 1, trustList: 1, listData: 1, cacheStatus: 1 });
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
    const before = node.engine.tally();
    for (let i = 0; i < 10; i++) model.onEngineEvent({ type: 'peers-changed' });
    await model.refresh(['peers']);
    assert.equal(node.engine.tally().peers! - before.peers!, 1, 'one fetch for the burst');
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
    node.engine.state.data = [aDataItem({ id: 'x' })];
    const second = model.refresh(['data']);
    await Promise.all([first, second]);
    assert.equal(model.snapshot.data.length, 1);
    model.dispose();
  });

  test('detaching clears the snapshot (the views show their empty states)', async () => {
    const node = fakeNode();
    node.engine.state.trusted = [aTrustedDevice({ name: 'desk' })];
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
    node.engine.state.peers = [aPeer({ name: 'desk' })];
    const model = new NodeModel({ debounceMs: 1, pollMs: 60_000 });
    model.setClient(node.api);
    await model.refresh([]);
    node.engine.fail(new Error('channel closed'), 'peers');
    await model.refresh(['peers']);
    assert.equal(model.snapshot.peers[0]!.name, 'desk');
    model.dispose();
  });

  test('a watcher polls its parts at its own pace while attached, until disposed', async () => {
    const node = fakeNode();
    const timers: Array<{ ms: number; fn: () => void; stopped: boolean }> = [];
    const model = new NodeModel({
      debounceMs: 1,
      ticker: (fn, ms) => {
        const t = { ms, fn, stopped: false };
        timers.push(t);
        return () => void (t.stopped = true);
      },
    });
    const live = (ms: number) => timers.filter((t) => t.ms === ms && !t.stopped);
    const watch = model.watch(['stats', 'cache'], 1000);
    assert.equal(live(1000).length, 0, 'no poll while detached');
    model.setClient(node.api);
    await model.refresh([]);
    assert.equal(live(1000).length, 1);
    assert.equal(live(5000).length, 1, 'the light poll runs too');
    const before = node.engine.tally();
    live(1000)[0]!.fn();
    await model.refresh([]);
    const after = node.engine.tally();
    assert.deepEqual([after.stats! - before.stats!, after.cacheStatus! - before.cacheStatus!, after.peers! - before.peers!], [1, 1, 0]);
    watch.dispose();
    assert.equal(live(1000).length, 0);
    model.setClient(undefined);
    assert.equal(live(5000).length, 0, 'detached: nothing polls');
    model.dispose();
  });

  test('every stats read adds a throughput sample and says so; a new node starts a new history', async () => {
    const node = fakeNode();
    const model = new NodeModel({ debounceMs: 1, pollMs: 60_000 });
    const samples: number[] = [];
    model.on('sample', (_stats, history) => samples.push(history.length));
    model.setClient(node.api);
    await model.refresh([]);
    await model.refresh(['stats']);
    await model.refresh(['peers']);
    assert.deepEqual(samples, [1, 2], 'one per stats read, none for other reads');
    assert.equal(model.snapshot.history.length, 2);
    model.setClient(fakeNode().api);
    await model.refresh([]);
    assert.equal(model.snapshot.history.length, 1);
    model.dispose();
  });

  test('a failing node: the last values stay, error says why, a poll then reads everything, and success clears it', async () => {
    const node = fakeNode();
    node.engine.state.peers = [aPeer({ name: 'desk' })];
    let tick: (() => void) | undefined;
    const model = new NodeModel({ debounceMs: 1, ticker: (fn, ms) => ((tick = ms === 1000 ? fn : tick), () => undefined) });
    model.watch(['stats'], 1000);
    model.setClient(node.api);
    await model.refresh([]);
    const seen = changes(model);
    node.engine.fail(new Error('the node stopped'));
    tick!();
    await model.refresh([]);
    assert.equal(model.snapshot.error, 'the node stopped');
    assert.equal(model.snapshot.peers[0]!.name, 'desk');
    assert.ok(seen.at(-1)!.has('error'));
    node.engine.recover();
    const before = node.engine.tally();
    tick!();
    await model.refresh([]);
    assert.equal(model.snapshot.error, undefined);
    assert.equal(node.engine.tally().peers! - before.peers!, 1, 'after a failure the poll reads every part');
    model.dispose();
  });

  test('which events make which parts stale', () => {
    assert.deepEqual(partsFor({ type: 'trust-changed' }), ['trusted', 'peers', 'status', 'teams']);
    assert.deepEqual(partsFor({ type: 'data-changed' }), ['data', 'stats', 'peers']);
    assert.deepEqual(partsFor({ type: 'log', entry: { at: 0, level: 'info', message: 'x' } }), []);
    assert.ok(partsFor({ type: 'consent-request', request: {} as never }).includes('peers'));
  });
});
