// What the views show, fetched from the node (no vscode; unit-tested). Engine events mark parts
// dirty; one coalesced fetch follows. A light poll keeps stats and latencies fresh, and 'change'
// only fires for parts whose data actually differ.

import { EventEmitter } from 'node:events';
import type { BuildCacheStatus } from '../../engine/api/build-cache-types';
import type { EngineApi } from '../../engine/api/engine-api';
import type { DataItem, EngineEvent, NodeStatus, PeerInfo, Stats, TrustedDeviceInfo } from '../../engine/api/types';
import type { TeamInfo } from '../../engine/team/team-view';

export type ModelPart = 'status' | 'stats' | 'peers' | 'trusted' | 'data' | 'cache' | 'teams';
const ALL_PARTS: readonly ModelPart[] = ['status', 'stats', 'peers', 'trusted', 'data', 'cache', 'teams'];
/** Re-read while attached: latencies, throughput and the build cache's hit rate move without events. */
const POLLED_PARTS: readonly ModelPart[] = ['stats', 'peers', 'cache'];

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
}

const EMPTY: Snapshot = { status: undefined, stats: undefined, peers: [], trusted: [], data: [], cache: undefined, teams: [] };

/** Which parts an engine event makes stale. */
export function partsFor(event: EngineEvent): readonly ModelPart[] {
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
}

export class NodeModel extends EventEmitter<{ change: [ReadonlySet<ModelPart>] }> {
  private client: EngineApi | undefined;
  private current: Snapshot = EMPTY;
  private readonly dirty = new Set<ModelPart>();
  private scheduled: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private waiters: Array<() => void> = [];
  private poll: NodeJS.Timeout | null = null;
  private readonly pollMs: number;
  private readonly debounceMs: number;
  private readonly readTeams: (() => Promise<readonly TeamInfo[]>) | undefined;

  constructor(opts: NodeModelOptions = {}) {
    super();
    this.pollMs = opts.pollMs ?? 5000;
    this.debounceMs = opts.debounceMs ?? 100;
    this.readTeams = opts.teams;
  }

  get snapshot(): Snapshot {
    return this.current;
  }

  /** The node to read from; undefined clears everything (the views then show their empty states). */
  setClient(client: EngineApi | undefined): void {
    if (client === this.client) return;
    this.client = client;
    if (this.poll) clearInterval(this.poll);
    this.poll = null;
    if (!client) {
      this.dirty.clear();
      this.apply(EMPTY, ALL_PARTS);
      return;
    }
    this.poll = setInterval(() => void this.refresh(POLLED_PARTS), this.pollMs);
    this.poll.unref();
    void this.refresh(ALL_PARTS);
  }

  onEngineEvent(event: EngineEvent): void {
    const parts = partsFor(event);
    if (parts.length > 0) void this.refresh(parts);
  }

  /** Marks parts stale and resolves once a fetch that includes them has finished. */
  refresh(parts: readonly ModelPart[] = ALL_PARTS): Promise<void> {
    for (const p of parts) this.dirty.add(p);
    const done = new Promise<void>((resolve) => this.waiters.push(resolve));
    // Not unref'd: it is short, and someone may be awaiting this refresh.
    if (!this.scheduled && !this.running) this.scheduled = setTimeout(() => this.run(), this.debounceMs);
    return done;
  }

  dispose(): void {
    if (this.poll) clearInterval(this.poll);
    if (this.scheduled) clearTimeout(this.scheduled);
    this.poll = this.scheduled = null;
    this.client = undefined;
    for (const w of this.waiters.splice(0)) w();
    this.removeAllListeners();
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

  private async fetch(parts: readonly ModelPart[]): Promise<void> {
    const client = this.client;
    if (!client || parts.length === 0) return;
    const want = new Set(parts);
    const quiet = <T>(p: Promise<T>): Promise<T | undefined> => p.catch(() => undefined);
    const [status, stats, peers, trusted, data, cache, teams] = await Promise.all([
      want.has('status') ? quiet(client.status()) : undefined,
      want.has('stats') ? quiet(client.stats()) : undefined,
      want.has('peers') ? quiet(client.peers()) : undefined,
      want.has('trusted') ? quiet(client.trustList()) : undefined,
      want.has('data') ? quiet(client.listData()) : undefined,
      want.has('cache') ? quiet(client.cacheStatus()) : undefined,
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
    };
    this.apply(next, parts);
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
