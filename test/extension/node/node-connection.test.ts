import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { EngineEvent, StopReason } from '../../../engine/api/types';
import { ErrorCodes, MemCloudError } from '../../../engine/errors';
import type { EngineOptionsInput } from '../../../engine/node/engine-options';
import { NodeConnection, randomTakeoverDelay, stateKey, type HostedEngine, type ConnectionState, type NodeClient, type NodeConnectionDeps } from '../../../extension/node/node-connection';
import { connectionStateWhen } from './connection-state';

/** One machine: at most one node per home, as the real node lock enforces. */
class FakeMachine {
  readonly nodes = new Map<string, FakeNode>();
  readonly started: EngineOptionsInput[] = [];
  /** Errors startEngine throws next (before anything else happens). */
  readonly startFailures: MemCloudError[] = [];
  /** Called when startEngine is entered (a chance to start a competing node first). */
  beforeStart: (() => void) | null = null;

  deps(delays = { takeover: 5, retry: 5 }): NodeConnectionDeps {
    return {
      connect: async (home) => {
        const node = this.nodes.get(home);
        if (!node) throw new MemCloudError(ErrorCodes.NODE_NOT_RUNNING, 'nothing listens');
        return node.client() as unknown as NodeClient; // only what NodeConnection uses is faked
      },
      startEngine: async (options) => {
        this.beforeStart?.();
        const failure = this.startFailures.shift();
        if (failure) throw failure;
        if (this.nodes.has(options.home)) throw new MemCloudError(ErrorCodes.NODE_ALREADY_RUNNING, 'locked');
        this.started.push(options);
        return this.run(options.home, 'here').hosted();
      },
      engineOptions: async (home) => ({ home, port: 0 }),
      takeoverDelayMs: () => delays.takeover,
      retryDelayMs: () => delays.retry,
    };
  }

  run(home: string, where: 'here' | 'elsewhere'): FakeNode {
    const node = new FakeNode(this, home, where);
    this.nodes.set(home, node);
    return node;
  }
}

class FakeNode {
  readonly clients = new Set<FakeClient>();
  stopped = false;
  private readonly exitListeners: Array<(err: MemCloudError | null) => void> = [];

  constructor(
    private readonly machine: FakeMachine,
    readonly home: string,
    readonly where: 'here' | 'elsewhere',
  ) {}

  client(): FakeClient {
    const c = new FakeClient(this);
    this.clients.add(c);
    return c;
  }

  hosted(): HostedEngine {
    return { stop: async (reason) => this.stop(reason), onExit: (l) => void this.exitListeners.push(l) };
  }

  /** Graceful leave: subscribers hear 'stopping' (and why), then their sockets close. */
  stop(reason: StopReason = 'host-exit'): void {
    if (this.stopped) return;
    this.stopped = true;
    this.machine.nodes.delete(this.home);
    for (const c of [...this.clients]) {
      c.emit({ type: 'stopping', reason });
      c.drop(new MemCloudError(ErrorCodes.CHANNEL_CLOSED, 'the connection to the MemCloud node closed'));
    }
    for (const l of this.exitListeners) l(null);
  }
}

class FakeClient {
  private readonly listeners = new Set<(e: EngineEvent) => void>();
  private readonly closeListeners = new Set<(err: MemCloudError | null) => void>();
  closed = false;

  constructor(readonly node: FakeNode) {}

  subscribe(l: (e: EngineEvent) => void): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
  onClose(l: (err: MemCloudError | null) => void): () => void {
    this.closeListeners.add(l);
    return () => this.closeListeners.delete(l);
  }
  async close(): Promise<void> {
    this.drop(null);
  }
  async shutdown(): Promise<void> {
    setImmediate(() => this.node.stop());
  }
  emit(e: EngineEvent): void {
    for (const l of this.listeners) l(e);
  }
  drop(err: MemCloudError | null): void {
    if (this.closed) return;
    this.closed = true;
    this.node.clients.delete(this);
    for (const l of [...this.closeListeners]) l(err);
  }
}

function asNode(link: NodeConnection): FakeNode {
  return (link.client as unknown as FakeClient).node;
}

function states(link: NodeConnection): string[] {
  const seen: string[] = [];
  link.on('state', (s: ConnectionState) => seen.push(s.kind + (s.kind === 'running' ? (s.hosted ? ':hosted' : ':attached') : '')));
  return seen;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('NodeConnection: one node per machine, shared by every window', () => {
  test('attaches to the node already running for the home; starts nothing', async () => {
    const m = new FakeMachine();
    m.run('/h', 'elsewhere');
    const link = new NodeConnection('/h', true, m.deps());
    const seen = states(link);
    await link.attach();
    assert.deepEqual(seen, ['connecting', 'running:attached']);
    assert.equal(link.hosting, false);
    assert.deepEqual(m.started, []);
    await link.dispose();
  });

  test('with no node, starts the engine here with the options for that home, then attaches to it', async () => {
    const m = new FakeMachine();
    const link = new NodeConnection('/h', true, m.deps());
    await link.attach();
    assert.equal(link.hosting, true);
    assert.equal(asNode(link).where, 'here');
    assert.deepEqual(m.started, [{ home: '/h', port: 0 }]);
    await link.dispose();
    assert.equal(m.nodes.size, 0, 'closing the window stops the node it hosts');
  });

  test('autoStart off: stays stopped until asked to start', async () => {
    const m = new FakeMachine();
    const link = new NodeConnection('/h', false, m.deps());
    await link.attach();
    assert.equal(link.state.kind, 'stopped');
    assert.equal(stateKey(link.state), 'stopped');
    await link.attach({ start: true });
    assert.equal(link.hosting, true);
    await link.dispose();
  });

  test('losing the race to start (NODE_ALREADY_RUNNING) attaches to the winner', async () => {
    const m = new FakeMachine();
    m.beforeStart = () => {
      m.beforeStart = null;
      m.run('/h', 'elsewhere'); // another window starts first
    };
    const link = new NodeConnection('/h', true, m.deps());
    await link.attach();
    assert.equal(link.state.kind, 'running');
    assert.equal(link.hosting, false);
    assert.equal(asNode(link).where, 'elsewhere');
    await link.dispose();
  });

  test('concurrent attach calls share one attempt', async () => {
    const m = new FakeMachine();
    const link = new NodeConnection('/h', true, m.deps());
    await Promise.all([link.attach(), link.attach(), link.attach()]);
    assert.equal(m.started.length, 1);
    await link.dispose();
  });

  test('handover: when the node it uses leaves, it waits, then starts its own', async () => {
    const m = new FakeMachine();
    const other = m.run('/h', 'elsewhere');
    const link = new NodeConnection('/h', true, m.deps({ takeover: 30, retry: 5 }));
    const notes: string[] = [];
    link.on('note', (n) => notes.push(n));
    await link.attach();
    const seen = states(link);
    other.stop(); // the window hosting it closed
    assert.deepEqual(seen, ['connecting']);
    assert.equal(m.started.length, 0, 'not at once: after a random delay');
    await connectionStateWhen(link, (s) => s.kind === 'running');
    assert.equal(link.hosting, true);
    assert.ok(notes.some((n) => /lost the node .*taking over in 30 ms/.test(n)), notes.join('\n'));
    await link.dispose();
  });

  test('handover: if another window took over first, it attaches to that node', async () => {
    const m = new FakeMachine();
    const first = m.run('/h', 'elsewhere');
    const link = new NodeConnection('/h', true, m.deps({ takeover: 30, retry: 5 }));
    await link.attach();
    first.stop();
    const second = m.run('/h', 'elsewhere'); // a faster window
    await connectionStateWhen(link, (s) => s.kind === 'running');
    assert.equal(asNode(link), second);
    assert.equal(m.started.length, 0);
    await link.dispose();
  });

  test('no handover when the node was stopped on purpose elsewhere (memcloud node stop, Stop Node)', async () => {
    const m = new FakeMachine();
    const other = m.run('/h', 'elsewhere');
    const link = new NodeConnection('/h', true, m.deps({ takeover: 5, retry: 5 }));
    const notes: string[] = [];
    link.on('note', (n) => notes.push(n));
    await link.attach();
    other.stop('requested');
    await connectionStateWhen(link, (s) => s.kind === 'stopped');
    await sleep(40);
    assert.equal(link.state.kind, 'stopped');
    assert.equal(m.started.length, 0, 'no node of its own in place of one stopped on purpose');
    assert.ok(notes.some((n) => /stopped on purpose/.test(n)), notes.join('\n'));
    await link.dispose();
  });

  test('handover with autoStart off: no node to attach to means stopped', async () => {
    const m = new FakeMachine();
    const other = m.run('/h', 'elsewhere');
    const link = new NodeConnection('/h', false, m.deps());
    await link.attach();
    other.stop();
    await connectionStateWhen(link, (s) => s.kind === 'stopped');
    assert.equal(m.started.length, 0);
    await link.dispose();
  });

  test('Stop Node (hosted here): graceful stop, and no takeover afterwards', async () => {
    const m = new FakeMachine();
    const link = new NodeConnection('/h', true, m.deps({ takeover: 5, retry: 5 }));
    await link.attach();
    const node = asNode(link);
    await link.stopNode();
    assert.equal(node.stopped, true);
    assert.equal(link.state.kind, 'stopped');
    await sleep(40);
    assert.equal(link.state.kind, 'stopped');
    assert.equal(m.started.length, 1);
    await link.restartNode();
    assert.equal(link.hosting, true);
    assert.equal(m.started.length, 2);
    await link.dispose();
  });

  test('Stop Node (attached elsewhere): asks that node to shut down; no takeover', async () => {
    const m = new FakeMachine();
    const other = m.run('/h', 'elsewhere');
    const link = new NodeConnection('/h', true, m.deps());
    await link.attach();
    await link.stopNode();
    assert.equal(other.stopped, true);
    await sleep(30);
    assert.equal(link.state.kind, 'stopped');
    assert.equal(m.started.length, 0);
    await link.dispose();
  });

  test('a start that fails for another reason is reported, not retried forever', async () => {
    const m = new FakeMachine();
    m.startFailures.push(new MemCloudError(ErrorCodes.BAD_ARGUMENT, 'cannot listen on 0.0.0.0:7797: port 7797 is already in use'));
    const link = new NodeConnection('/h', true, m.deps());
    await link.attach();
    const s = link.state;
    assert.equal(s.kind, 'failed');
    assert.equal(s.kind === 'failed' && s.error.code, 'BAD_ARGUMENT');
    await link.dispose();
  });

  test('a new home: leaves the old node (stopping it if hosted here) and attaches to the new one', async () => {
    const m = new FakeMachine();
    m.run('/b', 'elsewhere');
    const link = new NodeConnection('/a', true, m.deps());
    await link.attach();
    const old = asNode(link);
    await link.setHome('/b');
    assert.equal(old.stopped, true);
    assert.equal(asNode(link).home, '/b');
    assert.equal(link.hosting, false);
    await link.dispose();
  });

  test('events are passed on; a hosted node logs through its worker, an attached one through events', async () => {
    const m = new FakeMachine();
    m.run('/h', 'elsewhere');
    const link = new NodeConnection('/h', true, m.deps());
    const events: string[] = [];
    const logs: string[] = [];
    link.on('event', (e) => events.push(e.type));
    link.on('log', (e) => logs.push(e.message));
    await link.attach();
    (link.client as unknown as FakeClient).emit({ type: 'log', entry: { at: 0, level: 'info', message: 'hello' } });
    (link.client as unknown as FakeClient).emit({ type: 'peers-changed' });
    assert.deepEqual(events, ['log', 'peers-changed']);
    assert.deepEqual(logs, ['hello']);
    await link.dispose();
  });

  test('the takeover delay is random within bounds', () => {
    assert.equal(randomTakeoverDelay(() => 0), 400);
    assert.equal(randomTakeoverDelay(() => 0.999999), 1999);
  });
});

