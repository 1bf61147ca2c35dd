// This window's link to the machine's one MemCloud node (no vscode here; unit-tested).
//
// attach(): if a node already serves the home (another window, `memcloud node`), use it over its
// control socket; otherwise start the engine in worker threads of this process (EngineHost) and
// use it the same way, so every window and the CLI see the same node.
// Handover: when the node goes away (the window hosting it closed, or it stopped), the link waits
// a short random delay, so that several windows do not all race at once, then attaches to
// whichever node runs by then or starts its own. Two windows starting at the same moment are
// settled by the home's node lock: the loser sees NODE_ALREADY_RUNNING and attaches to the winner.

import { EventEmitter } from 'node:events';
import type { EngineApi } from '../../engine/api/engine-api';
import type { EngineEvent, LogEntry, StopReason } from '../../engine/api/types';
import { ErrorCodes, MemCloudError, isMemCloudError, toMemCloudError } from '../../engine/errors';
import type { EngineOptionsInput } from '../../engine/node/engine-options';

/** An attached control-socket client (the SDK's MemCloud). */
export interface NodeClient extends EngineApi {
  close(): Promise<void>;
  /** err is null after close(), else why the connection ended. */
  onClose(listener: (err: MemCloudError | null) => void): () => void;
}

/** An engine running in this process's worker threads (EngineHost). */
export interface HostedEngine {
  /** Graceful leave: peers are told first so owners re-replicate. */
  stop(reason?: StopReason): Promise<void>;
  onExit(listener: (err: MemCloudError | null) => void): void;
}

export interface NodeConnectionDeps {
  /** Rejects with NODE_NOT_RUNNING when no node serves the home. */
  connect(home: string): Promise<NodeClient>;
  startEngine(options: EngineOptionsInput, onLog: (entry: LogEntry) => void): Promise<HostedEngine>;
  /** Read when a node is about to start (config.json and settings may have changed). */
  engineOptions(home: string): Promise<EngineOptionsInput>;
  /** Wait before taking over from a node that went away. */
  takeoverDelayMs(): number;
  /** Wait before retrying after another process won the race to start a node. */
  retryDelayMs(attempt: number): number;
}

export type ConnectionState =
  | { readonly kind: 'connecting' }
  | { readonly kind: 'running'; readonly hosted: boolean }
  | { readonly kind: 'stopped' }
  | { readonly kind: 'failed'; readonly error: MemCloudError };

/** The node's state as the UI names it (context key memcloud.nodeState). */
export type NodeStateKey = 'starting' | 'running' | 'stopped' | 'failed';

export function stateKey(state: ConnectionState): NodeStateKey {
  return state.kind === 'connecting' ? 'starting' : state.kind;
}

export interface NodeConnectionEvents {
  state: [ConnectionState];
  /** Every event the node publishes. */
  event: [EngineEvent];
  /** The node's log, once per entry (from the hosted engine, or the subscription when attached). */
  log: [LogEntry];
  /** Notes from the link itself (attach, handover), for the output channel. */
  note: [string];
}

/** Attempts to start or attach before giving up (another node may hold the lock while it leaves). */
const MAX_ATTEMPTS = 20;
/** How long Stop Node waits for a node running elsewhere to close after asking it to. */
const SHUTDOWN_WAIT_MS = 20_000;

export function randomTakeoverDelay(random: () => number = Math.random): number {
  return 400 + Math.floor(random() * 1600);
}

export class NodeConnection extends EventEmitter<NodeConnectionEvents> {
  private current: ConnectionState = { kind: 'stopped' };
  private attached: { client: NodeClient; host: HostedEngine | null; off: () => void } | null = null;
  private pending: Promise<void> | null = null;
  private pendingStarts = false;
  private takeover: NodeJS.Timeout | null = null;
  /** Bumped whenever what we are attached to must change: stale attempts then give up. */
  private generation = 0;
  private stopRequested = false;
  /** The node we are attached to announced that someone asked it to stop: do not replace it. */
  private stoppedOnPurpose = false;
  private disposed = false;

  constructor(
    private home: string,
    private autoStart: boolean,
    private readonly deps: NodeConnectionDeps,
  ) {
    super();
  }

  get state(): ConnectionState {
    return this.current;
  }

  get client(): NodeClient | undefined {
    return this.attached?.client;
  }

  /** True while the node runs in this process. */
  get hosting(): boolean {
    return this.attached?.host != null;
  }

  get nodeHome(): string {
    return this.home;
  }

  /**
   * Attaches to the node of the home, starting one here when none runs and `start` (default: the
   * autoStart setting). Concurrent calls share one attempt.
   */
  attach(opts: { readonly start?: boolean } = {}): Promise<void> {
    if (this.disposed) return Promise.resolve();
    if (this.attached) return Promise.resolve();
    const start = opts.start ?? this.autoStart;
    if (opts.start) this.stopRequested = false;
    this.clearTakeover();
    if (this.pending) {
      // An attempt that would not start a node must not swallow an explicit request to start one.
      return start && !this.pendingStarts ? this.pending.then(() => this.attach(opts)) : this.pending;
    }
    this.pendingStarts = start;
    this.pending = this.ensure(start, this.generation).finally(() => (this.pending = null));
    return this.pending;
  }

  setAutoStart(autoStart: boolean): void {
    this.autoStart = autoStart;
  }

  /** Moves to another home: leaves the current node (stopping it if hosted here), then attaches. */
  async setHome(home: string): Promise<void> {
    if (home === this.home) return;
    await this.detach();
    this.home = home;
    await this.attach();
  }

  /** Stops the node (hosted here: graceful leave; elsewhere: asks it to shut down). No takeover follows. */
  async stopNode(): Promise<void> {
    this.stopRequested = true;
    await this.detach({ shutdownExternal: true, reason: 'requested' });
    this.setState({ kind: 'stopped' });
  }

  /** Stops the node and starts it again in this window (new settings apply). */
  async restartNode(): Promise<void> {
    await this.stopNode();
    await this.attach({ start: true });
  }

  /** Window closing: a node hosted here leaves gracefully (attached windows take over). */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.detach();
    this.removeAllListeners();
  }

  private async ensure(start: boolean, generation: number): Promise<void> {
    this.setState({ kind: 'connecting' });
    let lastError: MemCloudError | null = null;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      if (this.stale(generation)) return;
      try {
        const client = await this.deps.connect(this.home);
        if (this.stale(generation)) return void client.close();
        this.adopt(client, null);
        return;
      } catch (err) {
        if (!isMemCloudError(err, ErrorCodes.NODE_NOT_RUNNING)) {
          lastError = toMemCloudError(err);
          // A node that is just closing its socket may refuse us once or twice; anything else is final.
          if (attempt >= 2 || !isMemCloudError(err, ErrorCodes.CONNECT_FAILED)) break;
          await sleep(this.deps.retryDelayMs(attempt));
          continue;
        }
      }
      if (!start || this.stopRequested) {
        this.setState({ kind: 'stopped' });
        return;
      }
      try {
        await this.startHere(generation);
        return;
      } catch (err) {
        lastError = toMemCloudError(err);
        // Another window or the CLI won the race (or its node is still leaving): attach to it next.
        if (!isMemCloudError(err, ErrorCodes.NODE_ALREADY_RUNNING)) break;
        await sleep(this.deps.retryDelayMs(attempt));
      }
    }
    if (this.stale(generation)) return;
    this.setState({ kind: 'failed', error: lastError ?? new MemCloudError(ErrorCodes.TIMEOUT, 'could not reach or start a MemCloud node') });
  }

  private async startHere(generation: number): Promise<void> {
    const options = await this.deps.engineOptions(this.home);
    this.note(`no node runs for ${this.home}: starting one in this window`);
    const host = await this.deps.startEngine(options, (entry) => this.emit('log', entry));
    let client: NodeClient;
    try {
      client = await this.deps.connect(this.home);
    } catch (err) {
      await host.stop();
      throw err;
    }
    if (this.stale(generation)) {
      await client.close();
      await host.stop();
      return;
    }
    this.adopt(client, host);
  }

  private adopt(client: NodeClient, host: HostedEngine | null): void {
    this.stoppedOnPurpose = false;
    const offEvents = client.subscribe((event) => {
      if (event.type === 'stopping') this.stoppedOnPurpose = event.reason === 'requested';
      this.emit('event', event);
      // A hosted engine's log already arrives from its worker, startup lines included.
      if (event.type === 'log' && host === null) this.emit('log', event.entry);
    });
    const offClose = client.onClose((err) => {
      if (this.attached?.client !== client) return;
      this.attached.off();
      this.attached = null;
      if (err !== null) this.lost(err);
    });
    host?.onExit((err) => {
      if (err) this.note(`the engine in this window stopped: ${err.message}`);
    });
    this.attached = { client, host, off: () => (offEvents(), offClose()) };
    this.note(host ? `node started in this window (home ${this.home})` : `attached to the node already running for ${this.home}`);
    this.setState({ kind: 'running', hosted: host !== null });
  }

  /** The node went away without us asking: take over after a short random delay. */
  private lost(err: MemCloudError): void {
    if (this.disposed) return;
    this.generation++;
    if (this.stopRequested || this.stoppedOnPurpose) {
      if (this.stoppedOnPurpose) this.note('the node was stopped on purpose (memcloud node stop or Stop Node elsewhere); not starting another');
      this.setState({ kind: 'stopped' });
      return;
    }
    const delay = this.deps.takeoverDelayMs();
    this.note(`lost the node (${err.message}); taking over in ${delay} ms`);
    this.setState({ kind: 'connecting' });
    this.clearTakeover();
    this.takeover = setTimeout(() => {
      this.takeover = null;
      void this.attach();
    }, delay);
    this.takeover.unref();
  }

  private async detach(opts: { readonly shutdownExternal?: boolean; readonly reason?: StopReason } = {}): Promise<void> {
    this.generation++;
    this.clearTakeover();
    const was = this.attached;
    this.attached = null;
    if (!was) return;
    was.off();
    if (was.host) {
      await was.client.close();
      await was.host.stop(opts.reason ?? 'host-exit');
    } else {
      if (opts.shutdownExternal) {
        let timer: NodeJS.Timeout | undefined;
        const closed = new Promise<void>((resolve) => {
          was.client.onClose(() => resolve());
          timer = setTimeout(resolve, SHUTDOWN_WAIT_MS); // a node that never closes is left behind
        });
        await was.client.shutdown().catch(() => undefined);
        await closed;
        clearTimeout(timer);
      }
      await was.client.close();
    }
  }

  private stale(generation: number): boolean {
    return this.disposed || generation !== this.generation;
  }

  private clearTakeover(): void {
    if (this.takeover) clearTimeout(this.takeover);
    this.takeover = null;
  }

  private setState(state: ConnectionState): void {
    this.current = state;
    if (!this.disposed) this.emit('state', state);
  }

  private note(message: string): void {
    if (!this.disposed) this.emit('note', message);
  }
}

/** Short waits someone awaits: not unref'd, so an awaited attach() keeps the process alive. */
function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
