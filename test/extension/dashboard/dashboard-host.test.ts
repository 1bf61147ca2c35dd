// DashboardHost without vscode, over the real NodeModel and ItemActions and the fake engine: the
// ready handshake, the stats poll and when it stops, engine events, attach and detach, request
// routing, and malformed messages.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { EngineApi } from '../../../engine/api/engine-api';
import { ErrorCodes, MemCloudError } from '../../../engine/errors';
import { DashboardHost } from '../../../extension/dashboard/dashboard-host';
import { ItemActions, type ItemUi } from '../../../extension/data/item-actions';
import { NodeModel } from '../../../extension/model/node-model';
import { parseHostMessage, type HostToWebview } from '../../../webview/dashboard/protocol';
import * as F from '../../webview/dashboard/fixtures';
import { FakeEngine } from '../../support/fake-engine';

/** The node the dashboard reads: one peer, a stream, a key and a block; its stats move on every read. */
function fakeNode(): FakeEngine {
  const engine = new FakeEngine();
  let at = 1000;
  Object.assign(engine.state, {
    status: F.status,
    stats: () => F.stats(at++, 100, 50, 2),
    peers: [F.desk],
    data: [...F.items, { ...F.items[0]!, id: 'b1', kind: 'block', name: 'block b1' }],
    cache: { ...F.buildCache, running: false },
  });
  engine.kv.set('user:1', new Uint8Array([1, 2]));
  engine.blocks.set('b1', new Uint8Array([3]));
  return engine;
}

/** The calls that change or read items (what the row buttons do). */
const ITEM_CALLS = ['free', 'del', 'pullFile', 'get', 'load'];

/** The dashboard's fast poll (1 s); the model's own 5 s poll runs on the same fake ticker. */
const FAST_MS = 1000;

async function setup(opts: { ui?: Partial<ItemUi>; client?: EngineApi | undefined } = {}) {
  const node = fakeNode();
  let client: EngineApi | undefined = 'client' in opts ? opts.client : node;
  const posted: HostToWebview[] = [];
  const waiters: Array<() => void> = [];
  const ticks = { running: 0, started: 0, fn: null as (() => void) | null };
  const written: Array<[string, Uint8Array]> = [];
  const ui: ItemUi = {
    confirmFree: async () => true,
    chooseRestorePath: async (item) => `/restore/${item.id}`,
    writeFile: async (path, data) => void written.push([path, data]),
    ...opts.ui,
  };
  const logs: string[] = [];
  const model = new NodeModel({
    debounceMs: 1,
    ticker: (fn, ms) => {
      if (ms !== FAST_MS) return () => undefined;
      ticks.running++;
      ticks.started++;
      ticks.fn = fn;
      return () => {
        ticks.running--;
        ticks.fn = null;
      };
    },
  });
  const actions = new ItemActions({
    client: () => client ?? failsNotRunning(),
    refresh: (parts) => model.refresh(parts),
    ui,
    pull: (item, path) => (client ?? failsNotRunning()).pullFile(item.id, path),
  });
  model.setClient(client);
  await model.refresh([]);
  const host = new DashboardHost({
    model,
    actions,
    post: (m) => {
      // Every message the host posts must be one the webview accepts.
      posted.push(parseHostMessage(structuredClone(m)));
      for (const w of waiters.splice(0)) w();
    },
    log: (m) => logs.push(m),
  });
  /** Resolves with the first message of `type` posted after position `from`. */
  const next = async <T extends HostToWebview['type']>(type: T, from = posted.length): Promise<Extract<HostToWebview, { type: T }>> => {
    for (;;) {
      const found = posted.slice(from).find((m) => m.type === type);
      if (found) return found as Extract<HostToWebview, { type: T }>;
      await new Promise<void>((r) => waiters.push(r));
    }
  };
  const setClient = (c: EngineApi | undefined) => {
    client = c;
    model.setClient(c);
  };
  /** One fast poll (none runs while detached), after the previous one has settled. */
  const tick = async () => {
    await model.refresh([]);
    ticks.fn?.();
  };
  return { node, model, host, posted, next, ticks, tick, written, logs, setClient };
}

function failsNotRunning(): never {
  throw new MemCloudError(ErrorCodes.NODE_NOT_RUNNING, 'no MemCloud node is attached');
}

describe('DashboardHost', () => {
  test('posts nothing before ready; on ready the full state, then stats polls while visible', async () => {
    const t = await setup();
    t.host.setVisible(true);
    t.model.onEngineEvent({ type: 'peers-changed' });
    await t.model.refresh([]); // the read the event caused has finished
    assert.deepEqual(t.posted, []);
    assert.equal(t.ticks.running, 0, 'no poll before ready');

    t.host.receive({ type: 'ready' });
    const { state } = await t.next('state', 0);
    assert.equal(state.attached, true);
    assert.equal(state.status?.name, 'laptop');
    assert.deepEqual(state.peers, [F.desk]);
    assert.equal(state.data.length, 3);
    assert.equal(state.history.length, 2, 'a sample for the read on attach and one for the read the event caused');
    assert.equal(t.ticks.running, 1);

    const from = t.posted.length;
    await t.tick();
    const stats = await t.next('stats', from);
    assert.equal(stats.history.length, state.history.length + 1, 'each poll adds a sample');
    assert.equal(stats.stats.throughput.sentPerSec, 100);
  });

  test('hidden: the poll stops and ready is forgotten; the reloaded page gets the full state again', async () => {
    const t = await setup();
    t.host.setVisible(true);
    t.host.receive({ type: 'ready' });
    await t.next('state', 0);
    t.host.setVisible(false);
    assert.equal(t.ticks.running, 0);
    const before = t.posted.length;
    t.model.onEngineEvent({ type: 'data-changed' });
    assert.equal(t.posted.length, before, 'nothing is posted to a hidden (discarded) page');

    t.host.setVisible(true);
    assert.equal(t.ticks.running, 0, 'waits for the new page');
    t.host.receive({ type: 'ready' });
    const again = await t.next('state', before);
    assert.equal(again.state.history.length, 2, 'the history survives the reload');
    assert.equal(t.ticks.running, 1);
  });

  test('dispose stops the poll and silences the host; it is idempotent', async () => {
    const t = await setup();
    t.host.setVisible(true);
    t.host.receive({ type: 'ready' });
    await t.next('state', 0);
    t.host.dispose();
    t.host.dispose();
    assert.equal(t.ticks.running, 0);
    const n = t.posted.length;
    t.host.receive({ type: 'ready' });
    t.model.onEngineEvent({ type: 'peers-changed' });
    await t.host.refresh();
    assert.equal(t.posted.length, n);
  });

  test('engine events that change what is shown post a fresh state; others do not', async () => {
    const t = await setup();
    t.host.setVisible(true);
    t.host.receive({ type: 'ready' });
    await t.next('state', 0);
    for (const type of ['peers-changed', 'trust-changed', 'data-changed'] as const) {
      const from = t.posted.length;
      t.node.state.peers = [...t.node.state.peers, { ...F.nas, publicKey: `PK-${type}` }];
      t.model.onEngineEvent({ type });
      const { state } = await t.next('state', from);
      assert.equal(state.peers.length, t.node.state.peers.length, type);
    }
    const from = t.posted.length;
    t.model.onEngineEvent({ type: 'log', entry: { at: 1, level: 'info', message: 'x' } });
    await t.host.refresh(); // a refresh of our own, to have something to wait for
    assert.equal(t.posted.slice(from).filter((m) => m.type === 'state').length, 1);
  });

  test('detached, then attached: the model says so and the full state is sent each time', async () => {
    const t = await setup({ client: undefined });
    t.host.setVisible(true);
    t.host.receive({ type: 'ready' });
    assert.equal((await t.next('state', 0)).state.attached, false);
    let from = t.posted.length;
    await t.tick();
    await t.host.refresh();
    assert.equal(t.posted.slice(from).filter((m) => m.type === 'state').length, 1, 'no repeat while still detached (only our refresh)');

    from = t.posted.length;
    t.setClient(t.node);
    await t.tick();
    const attached = await t.next('state', from);
    assert.equal(attached.state.attached, true);
    assert.equal(attached.state.status?.fingerprint, F.status.fingerprint);

    from = t.posted.length;
    t.setClient(undefined);
    await t.tick();
    assert.deepEqual((await t.next('state', from)).state, { attached: false, status: null, stats: null, peers: [], data: [], history: [], error: null });
  });

  test('a failing node shows an error banner over the last data, and recovers', async () => {
    const t = await setup();
    t.host.setVisible(true);
    t.host.receive({ type: 'ready' });
    await t.next('state', 0);
    t.node.fail(new MemCloudError(ErrorCodes.CHANNEL_CLOSED, 'the node stopped'));
    let from = t.posted.length;
    await t.tick();
    const failed = await t.next('state', from);
    assert.equal(failed.state.error, 'the node stopped');
    assert.deepEqual(failed.state.peers, [F.desk], 'keeps what was shown');
    // Whatever is thrown, the page gets a short text (a long message or a non-Error included).
    t.node.fail('x'.repeat(10_000));
    from = t.posted.length;
    await t.tick();
    assert.equal((await t.next('state', from)).state.error, `${'x'.repeat(500)}…`);
    t.node.recover();
    from = t.posted.length;
    await t.tick();
    assert.equal((await t.next('state', from)).state.error, null);
  });

  test('free: confirms, routes keys to del and blocks and streams to free, refreshes, replies', async () => {
    const t = await setup();
    t.host.setVisible(true);
    t.host.receive({ type: 'ready' });
    await t.next('state', 0);
    const cases = [
      [{ kind: 'key', id: 'user:1' }, 'del user:1', 'user:1'],
      [{ kind: 'stream', id: 's1' }, 'free s1', '/data/model.bin'],
      [{ kind: 'block', id: 'b1' }, 'free b1', 'block b1'],
    ] as const;
    let id = 1;
    for (const [item, call, name] of cases) {
      const from = t.posted.length;
      t.host.receive({ type: 'free', id, item });
      const reply = await t.next('reply', from);
      assert.deepEqual(reply, { type: 'reply', id, ok: true, result: { done: true, message: `Freed ${name}.` } });
      assert.equal(t.node.callsTo(...ITEM_CALLS).at(-1), call);
      const state = t.posted.slice(from).find((m) => m.type === 'state');
      assert.ok(state && state.type === 'state' && !state.state.data.some((d) => d.id === item.id), 'a fresh state without the item came first');
      id++;
    }
  });

  test('free declined: nothing is freed; unknown item: NOT_FOUND; no client: NODE_NOT_RUNNING', async () => {
    const t = await setup({ ui: { confirmFree: async () => false } });
    t.host.setVisible(true);
    t.host.receive({ type: 'ready' });
    await t.next('state', 0);
    t.host.receive({ type: 'free', id: 7, item: { kind: 'stream', id: 's1' } });
    assert.deepEqual(await t.next('reply'), { type: 'reply', id: 7, ok: true, result: { done: false, message: 'Kept /data/model.bin.' } });
    assert.deepEqual(t.node.callsTo(...ITEM_CALLS), []);

    let from = t.posted.length;
    t.host.receive({ type: 'free', id: 8, item: { kind: 'key', id: 's1' } }); // right id, wrong kind
    const missing = await t.next('reply', from);
    assert.equal(missing.ok, false);
    assert.equal(!missing.ok && missing.error.code, 'NOT_FOUND');

    t.setClient(undefined);
    await t.tick();
    from = t.posted.length;
    t.host.receive({ type: 'restore', id: 9, item: { kind: 'key', id: 'user:1' } });
    const detached = await t.next('reply', from);
    assert.equal(!detached.ok && detached.error.code, 'NODE_NOT_RUNNING');
  });

  test('restore: streams are pulled by the node, keys and blocks written by the host; cancel does nothing', async () => {
    let cancel = false;
    const t = await setup({ ui: { chooseRestorePath: async (item) => (cancel ? undefined : `/restore/${item.id}`) } });
    t.host.setVisible(true);
    t.host.receive({ type: 'ready' });
    await t.next('state', 0);
    t.host.receive({ type: 'restore', id: 1, item: { kind: 'stream', id: 's1' } });
    assert.deepEqual(await t.next('reply'), { type: 'reply', id: 1, ok: true, result: { done: true, message: 'Restored /data/model.bin to /restore/s1.' } });
    assert.equal(t.node.callsTo(...ITEM_CALLS).at(-1), 'pullFile s1 /restore/s1');
    t.host.receive({ type: 'restore', id: 2, item: { kind: 'key', id: 'user:1' } });
    await t.next('reply');
    t.host.receive({ type: 'restore', id: 3, item: { kind: 'block', id: 'b1' } });
    await t.next('reply', t.posted.length);
    assert.deepEqual(t.written, [
      ['/restore/user:1', new Uint8Array([1, 2])],
      ['/restore/b1', new Uint8Array([3])],
    ]);
    cancel = true;
    const calls = t.node.callsTo(...ITEM_CALLS).length;
    const from = t.posted.length;
    t.host.receive({ type: 'restore', id: 4, item: { kind: 'stream', id: 's1' } });
    assert.deepEqual(await t.next('reply', from), { type: 'reply', id: 4, ok: true, result: { done: false, message: 'Restore cancelled.' } });
    assert.equal(t.node.callsTo(...ITEM_CALLS).length, calls);
  });

  test('a reply for a page that has since reloaded is dropped', async () => {
    let release!: (v: boolean) => void;
    const t = await setup({ ui: { confirmFree: () => new Promise<boolean>((r) => (release = r)) } });
    t.host.setVisible(true);
    t.host.receive({ type: 'ready' });
    await t.next('state', 0);
    t.host.receive({ type: 'free', id: 1, item: { kind: 'stream', id: 's1' } });
    while (release === undefined) await new Promise((r) => setImmediate(r));
    t.host.receive({ type: 'ready' }); // the page reloaded while the dialog was open
    await t.next('state', t.posted.length);
    release(false);
    await t.host.refresh();
    await new Promise((r) => setImmediate(r));
    assert.equal(t.posted.filter((m) => m.type === 'reply').length, 0);
  });

  test('malformed webview messages are dropped and logged, never answered', async () => {
    const t = await setup();
    t.host.setVisible(true);
    for (const m of [null, 'ready', { type: 'shutdown' }, { type: 'free', id: 1, item: { kind: 'key' } }, { type: 'ready', x: 1 }]) t.host.receive(m);
    assert.deepEqual(t.posted, []);
    assert.equal(t.logs.length, 5);
    assert.match(t.logs[2]!, /dropped a malformed webview message \(message\.type: expected one of ready, refresh, free, restore\)/);
    assert.equal(t.ticks.started, 0);
  });
});
