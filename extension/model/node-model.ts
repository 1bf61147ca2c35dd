// What the views, the status bar and the dashboard show, fetched from the node (no vscode;
// unit-tested): the extension's one model of the node. Engine events mark parts dirty; one
// coalesced fetch follows. A light poll keeps stats and latencies fresh, a watcher (the visible
// dashboard) polls the parts it shows faster, and 'change' only fires for parts whose data
// actually differ. Every stats read adds a throughput sample to the history and fires 'sample'
// (the dashboard's chart moves even when nothing else does); a read that fails keeps the last
// values and says why in `error` until reads succeed again.

import { EventEmitter } from 'node:events';
import type { BuildCacheStatus } from '../../engine/api/build-cache-types';
import type { EngineApi } from '../../engine/api/engine-api';
import type { DataItem, EngineEvent, NodeStatus, PeerInfo, Stats, TrustedDeviceInfo } from '../../engine/api/types';
import { toErrorPayload } from '../../engine/errors';
import type { TeamInfo } from '../../engine/team/team-view';
import { appendSample, type ThroughputSample } from '../../webview/dashboard/history';
import { toDisposable, type DisposableLike } from '../lifecycle/disposable';

/** The parts read from the node; `error` follows from the reads (the history too, announced by 'sample'). */
export type FetchedPart = 'status' | 'stats' | 'peers' | 'trusted' | 'data' | 'cache' | 'teams';
export type ModelPart = FetchedPart | 'error';
const ALL_PARTS: readonly FetchedPart[] = ['status', 'stats', 'peers', 'trusted', 'data', 'cache', 'teams'];
/** Re-read while attached: latencies, throughput and the build cache's hit rate move without events. */
const POLLED_PARTS: readonly FetchedPart[] = ['stats', 'peers', 'cache'];

export interface Snapshot {
  readonly status: NodeStatus | undefined;
  readonly stats: Stats | undefined;
  readonly peers: readonly PeerInfo[];
  readonly trusted: readonly TrustedDeviceInfo[];
  readonly data: readonly DataItem[];
  /** The build-cache endpoint; undefined until read (or from a node without one). */
  readonly cache: BuildCacheStatus | undefined;
  /** Teams this device administers, belongs to or trusts (team.json, team_keys.json); the last readable state. */
  readonly teams: readonly TeamInfo[];
  /** Throughput, one sample per stats read of this node (bounded; restarts with another node). */
  readonly history: readonly ThroughputSample[];
  /** Why the last fetch from the node failed (its values are the last known); undefined once reads succeed. */
  readonly error: string | undefined;
}

export const EMPTY_SNAPSHOT: Snapshot = { status: undefined, stats: undefined, peers: [], trusted: [], data: [], cache: undefined, teams: [], history: [], error: undefined };
const EMPTY = EMPTY_SNAPSHOT;

/** Starts a repeating timer; returns its stop function. */
export type Ticker = (tick: () => void, ms: number) => () => void;

const intervalTicker: Ticker = (tick, ms) => {
  const timer = setInterval(tick, ms);
  timer.unref();
  return () => clearInterval(timer);
};

/** Which parts an engine event makes stale. */
export function partsFor(event: EngineEvent): readonly FetchedPart[] {
  switch (event.type) {
    case 'peers-changed':
    case 'consent-request':
    case 'consent-resolved':
      return ['peers', 'stats', 'status'];
    case 'trust-changed':
      // A trust file that became unusable (or usable again) is reported in the status; team.json
      // changes are published as trust changes too.
      return ['trusted', 'peers', 'status', 'teams'];
    case 'data-changed':
      return ['data', 'stats', 'peers'];
    case 'cache-changed':
      return ['cache', 'data'];
    case 'progress':
    case 'log':
    case 'stopping':
      return [];
  }
}

export interface NodeModelOptions {
  /** Stats and peers are re-read this often while attached (latency, throughput). */
  readonly pollMs?: number;
  /** Events within this window share one fetch. */
  readonly debounceMs?: number;
  /**
   * Reads the teams of the attached node's home. The team files are read where they are, as the
   * `memcloud team` commands do; an unusable file keeps the last state (the node reports it).
   */
  readonly teams?: () => Promise<readonly TeamInfo[]>;
  /** The timers of the polls (tests drive them by hand). */
  readonly ticker?: Ticker;
}

export class NodeModel extends EventEmitter<{ change: [ReadonlySet<ModelPart>]; sample: [Stats, readonly ThroughputSample[]] }> {
  private client: EngineApi | undefined;
  private current: Snapshot = EMPTY;
  private readonly dirty = new Set<FetchedPart>();
  private scheduled: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private waiters: Array<() => void> = [];
  private readonly polls = new Set<{ readonly parts: readonly FetchedPart[]; readonly ms: number; stop: (() => void) | null }>();
  private readonly debounceMs: number;
  private readonly readTeams: (() => Promise<readonly TeamInfo[]>) | undefined;
  private readonly ticker: Ticker;

  constructor(opts: NodeModelOptions = {}) {
    super();
    this.debounceMs = opts.debounceMs ?? 100;
    this.readTeams = opts.teams;
    this.ticker = opts.ticker ?? intervalTicker;
    this.watch(POLLED_PARTS, opts.pollMs ?? 5000);
  }

  get snapshot(): Snapshot {
    return this.current;
  }

  /** Whether a node is attached (the snapshot may still be empty until its first read). */
  get attached(): boolean {
    return this.client !== undefined;
  }

  /** The node to read from; undefined clears everything (the views then show their empty states). */
  setClient(client: EngineApi | undefined): void {
    if (client === this.client) return;
    this.client = client;
    for (const poll of this.polls) this.startPoll(poll);
    if (!client) {
      this.dirty.clear();
      this.apply(EMPTY, [...ALL_PARTS, 'error']);
      return;
    }
    this.current = { ...this.current, history: [] }; // a new node's throughput starts afresh
    void this.refresh(ALL_PARTS);
  }

  /**
   * Re-reads `parts` every `ms` while a node is attached, until the returned handle is disposed
   * (the dashboard watches stats and the build cache while it is visible). After a failed read,
   * a poll reads everything.
   */
  watch(parts: readonly FetchedPart[], ms: number): DisposableLike {
    const poll = { parts, ms, stop: null as (() => void) | null };
    this.polls.add(poll);
    this.startPoll(poll);
    return toDisposable(() => {
      poll.stop?.();
      this.polls.delete(poll);
    });
  }

  onEngineEvent(event: EngineEvent): void {
    const parts = partsFor(event);
    if (parts.length > 0) void this.refresh(parts);
  }

  /** Marks parts stale and resolves once a fetch that includes them has finished. */
  refresh(parts: readonly ModelPart[] = ALL_PARTS): Promise<void> {
    for (const p of parts) if (p !== 'error') this.dirty.add(p);
    const done = new Promise<void>((resolve) => this.waiters.push(resolve));
    // Not unref'd: it is short, and someone may be awaiting this refresh.
    if (!this.scheduled && !this.running) this.scheduled = setTimeout(() => this.run(), this.debounceMs);
    return done;
  }

  dispose(): void {
    for (const poll of this.polls) poll.stop?.();
    this.polls.clear();
    if (this.scheduled) clearTimeout(this.scheduled);
    this.scheduled = null;
    this.client = undefined;
    for (const w of this.waiters.splice(0)) w();
    this.removeAllListeners();
  }

  private startPoll(poll: { readonly parts: readonly FetchedPart[]; readonly ms: number; stop: (() => void) | null }): void {
    poll.stop?.();
    poll.stop = this.client === undefined ? null : this.ticker(() => void this.refresh(this.current.error === undefined ? poll.parts : ALL_PARTS), poll.ms);
  }

  private run(): void {
    this.scheduled = null;
    const parts = [...this.dirty];
    const waiters = this.waiters.splice(0);
    this.dirty.clear();
    this.running = this.fetch(parts).finally(() => {
      this.running = null;
      for (const w of waiters) w();
      if (this.dirty.size > 0) this.run();
      else for (const w of this.waiters.splice(0)) w();
    });
  }

  private async fetch(parts: readonly FetchedPart[]): Promise<void> {
    const client = this.client;
    if (!client || parts.length === 0) return;
    const want = new Set(parts);
    let failure: unknown;
    let failed = false;
    // A failed read keeps the last value; the first failure of the node's reads is the error shown.
    const read = <T>(p: Promise<T>): Promise<T | undefined> =>
      p.catch((err: unknown) => {
        if (!failed) [failed, failure] = [true, err];
        return undefined;
      });
    const quiet = <T>(p: Promise<T>): Promise<T | undefined> => p.catch(() => undefined);
    const [status, stats, peers, trusted, data, cache, teams] = await Promise.all([
      want.has('status') ? read(client.status()) : undefined,
      want.has('stats') ? read(client.stats()) : undefined,
      want.has('peers') ? read(client.peers()) : undefined,
      want.has('trusted') ? read(client.trustList()) : undefined,
      want.has('data') ? read(client.listData()) : undefined,
      want.has('cache') ? read(client.cacheStatus()) : undefined,
      // The team files are read from disk, not from the node: an unusable one is reported by the node.
      want.has('teams') && this.readTeams ? quiet(this.readTeams()) : undefined,
    ]);
    if (client !== this.client) return; // detached meanwhile
    const next: Snapshot = {
      status: status ?? this.current.status,
      stats: stats ?? this.current.stats,
      peers: peers ?? this.current.peers,
      trusted: trusted ?? this.current.trusted,
      data: data ?? this.current.data,
      cache: cache ?? this.current.cache,
      teams: teams ?? this.current.teams,
      history: stats ? appendSample(this.current.history, stats) : this.current.history,
      error: failed ? toErrorPayload(failure).message : undefined,
    };
    this.apply(next, [...parts, 'error']);
    if (stats) this.emit('sample', stats, next.history);
  }

  private apply(next: Snapshot, parts: readonly ModelPart[]): void {
    const changed = new Set<ModelPart>();
    for (const p of parts) {
      // stats carry a timestamp that always moves: compare without it (the cache's counters do not).
      const before = p === 'stats' ? { ...this.current.stats, at: 0 } : this.current[p];
      const after = p === 'stats' ? { ...next.stats, at: 0 } : next[p];
      if (JSON.stringify(before) !== JSON.stringify(after)) changed.add(p);
    }
    this.current = next;
    if (changed.size > 0) this.emit('change', changed);
  }
}
