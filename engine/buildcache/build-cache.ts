// The build cache of a running node: its entries (always there, whether the endpoint runs or not)
// and, while started, the HTTP endpoint with its upstream tier. Start and stop are idempotent and
// serialized; what they chose is remembered in the home, so a restarted node reopens the endpoint
// on the same port unless config.json says otherwise.

import { readFile } from 'node:fs/promises';
import type { BuildCacheEnv, BuildCacheStartOptions, BuildCacheStatus } from '../api/build-cache-types';
import { ErrorCodes, MemCloudError } from '../errors';
import { writeFileAtomic } from '../home/atomic-file';
import { homePaths } from '../home/paths';
import type { Logger } from '../log/log';
import { loadOrCreateToken } from './auth';
import type { BuildCacheConfig } from './cache-config';
import type { CacheData } from './cache-data';
import { CACHE_HOST, CacheEndpoint } from './cache-endpoint';
import { readCacheState, writeCacheState, type CacheState } from './cache-state-file';
import { CacheStats } from './cache-stats';
import { Deadline } from './deadline';
import { EntryStore } from './entry-store';
import type { EndpointParts, UpstreamTier } from './exchange';
import { ccacheRoute } from './routes/ccache';
import { createBazelRoute } from './routes/bazel';
import { gradleRoute } from './routes/gradle';
import { nxRoute } from './routes/nx';
import type { Route } from './routes/route';
import { turboRoute } from './routes/turbo';
import { GRADLE_INIT_SCRIPT, toolEnv } from './tool-env';
import { createUpstream, parseUpstreamUrl, redactUpstream } from './upstream/upstream-url';
import { WriteThrough } from './upstream/write-through';

const MAX_CONCURRENT = 32;
const MAX_WAITING = 512;
const WRITE_THROUGH = { capacity: 1000, concurrency: 2 } as const;
/** A write through reads the entry back from the LAN; it is not in a hurry. */
const WRITE_THROUGH_READ_MS = 10_000;

export interface BuildCacheDeps {
  readonly home: string;
  readonly data: CacheData;
  readonly config: BuildCacheConfig;
  readonly log: Logger;
  /** The endpoint started, stopped, or its entries were cleared. */
  readonly changed: () => void;
}

interface Running {
  readonly endpoint: CacheEndpoint;
  readonly upstream: UpstreamTier | null;
  readonly upstreamUrl: string | null;
  readonly startedAt: number;
  readonly token: string;
}

export class BuildCache {
  readonly store: EntryStore;
  private running: Running | null = null;
  private stats = new CacheStats();
  private queue: Promise<unknown> = Promise.resolve();
  private remembered: CacheState | undefined;
  private closed = false;

  constructor(private readonly deps: BuildCacheDeps) {
    this.store = new EntryStore(deps.data, { log: deps.log, maxTotalBytes: deps.config.maxTotalBytes });
  }

  /** At node start: opens the endpoint if config.json or the last `memcloud cache start` says so. Never throws. */
  async restore(): Promise<void> {
    const { config, log } = this.deps;
    this.remembered = await readCacheState(homePaths(this.deps.home).buildCacheState, log);
    const enabled = config.enabled ?? this.remembered?.enabled ?? false;
    if (!enabled) return;
    try {
      await this.start({}, { persist: false });
    } catch (err) {
      log.error(`build cache: the endpoint could not be opened: ${(err as Error).message}`);
    }
  }

  start(opts: BuildCacheStartOptions = {}, how: { readonly persist?: boolean } = {}): Promise<BuildCacheStatus> {
    return this.serialized(async () => {
      if (this.closed) throw new MemCloudError(ErrorCodes.CACHE_STOPPED, 'the node is stopping');
      const wantedUpstream = this.upstreamFor(opts);
      const current = this.running;
      const samePort = opts.port === undefined || opts.port === 0 || opts.port === current?.endpoint.port;
      if (current && samePort && wantedUpstream === current.upstreamUrl) return this.status();
      if (current) await this.shutdown();
      await this.open(opts.port, wantedUpstream);
      if (how.persist !== false) await this.remember(true);
      return this.status();
    });
  }

  stop(): Promise<BuildCacheStatus> {
    return this.serialized(async () => {
      if (this.running) {
        await this.shutdown();
        this.deps.log.info('build cache: endpoint stopped');
      }
      await this.remember(false);
      return this.status();
    });
  }

  status(): BuildCacheStatus {
    const r = this.running;
    const port = r?.endpoint.port ?? null;
    return {
      running: r !== null,
      url: port === null ? null : urlOf(port),
      port,
      upstream: r?.upstreamUrl ? redactUpstream(r.upstreamUrl) : null,
      startedAt: r?.startedAt ?? null,
      entries: this.store.entries,
      bytes: this.store.totalBytes,
      maxEntryBytes: this.deps.config.maxEntryBytes,
      ...this.stats.snapshot(r?.upstream?.writeThrough.queued ?? 0),
    };
  }

  env(): BuildCacheEnv {
    const r = this.running;
    if (!r) throw new MemCloudError(ErrorCodes.CACHE_STOPPED, 'the build-cache endpoint is not running; start it with `memcloud cache start`');
    return toolEnv(urlOf(r.endpoint.port), r.token, homePaths(this.deps.home).gradleInitScript);
  }

  /** Frees every entry, here and on peers. */
  clear(): { freedEntries: number } {
    const freedEntries = this.store.clear();
    this.deps.changed();
    return { freedEntries };
  }

  /** Entries written through but not yet acknowledged by the upstream (tests, graceful stop). */
  async upstreamIdle(): Promise<void> {
    await this.running?.upstream?.writeThrough.idle();
  }

  /** The node is stopping: close the endpoint, remember nothing new. Idempotent. */
  close(): Promise<void> {
    this.closed = true;
    return this.serialized(async () => {
      await this.shutdown();
      this.store.close();
    });
  }

  // ---- internals ----------------------------------------------------------------------------

  private upstreamFor(opts: BuildCacheStartOptions): string | null {
    if (opts.upstream === null) return null;
    const text = opts.upstream ?? this.running?.upstreamUrl ?? this.deps.config.upstream ?? this.remembered?.upstream ?? null;
    if (text === null) return null;
    return parseUpstreamUrl(text).href;
  }

  private async open(requestedPort: number | undefined, upstreamUrl: string | null): Promise<void> {
    const { home, log, config } = this.deps;
    const paths = homePaths(home);
    const token = await loadOrCreateToken(paths.buildCacheToken);
    await this.writeInitScript(paths.gradleInitScript);
    this.stats = new CacheStats();
    const upstream = upstreamUrl === null ? null : this.upstreamTier(upstreamUrl);
    const parts: EndpointParts = {
      store: this.store,
      stats: this.stats,
      upstream,
      limits: { maxEntryBytes: config.maxEntryBytes, deadlineMs: config.deadlineMs, upstreamDeadlineMs: config.upstreamDeadlineMs },
      log,
    };
    const explicit = requestedPort !== undefined && requestedPort !== 0;
    const preferred = explicit ? requestedPort : (config.port ?? this.remembered?.port ?? 0);
    let endpoint: CacheEndpoint;
    try {
      endpoint = await this.listen(preferred, token, parts);
    } catch (err) {
      if (explicit || preferred === 0 || config.port !== undefined) {
        upstream?.store.close();
        throw err;
      }
      log.warn(`build cache: port ${preferred} (used last time) is taken; choosing another, so shells must run \`memcloud cache env\` again`);
      endpoint = await this.listen(0, token, parts);
    }
    this.running = { endpoint, upstream, upstreamUrl, startedAt: Date.now(), token };
    this.remembered = { enabled: true, port: endpoint.port, upstream: upstreamUrl };
    log.info(`build cache: endpoint listening on ${urlOf(endpoint.port)}${upstream ? `, upstream ${upstream.store.description}` : ''}`);
    this.deps.changed();
  }

  private listen(port: number, token: string, parts: EndpointParts): Promise<CacheEndpoint> {
    return CacheEndpoint.listen({ port, token, routes: this.routes(), parts, maxConcurrent: MAX_CONCURRENT, maxWaiting: MAX_WAITING });
  }

  /** Matched in this order: ccache's and Gradle's prefixes before Bazel's instance names. */
  private routes(): Route[] {
    const bazel = createBazelRoute({ has: (key) => this.store.has(key), hasUpstream: () => this.running?.upstream != null });
    return [ccacheRoute, turboRoute, nxRoute, gradleRoute, bazel];
  }

  private upstreamTier(url: string): UpstreamTier {
    const store = createUpstream(new URL(url));
    const open = async (key: string) => {
      const o = await this.store.open(key, new Deadline(WRITE_THROUGH_READ_MS));
      return o.kind === 'hit' ? o.reader : null;
    };
    return { store, writeThrough: new WriteThrough(store, open, this.stats.upstream, { ...WRITE_THROUGH, log: this.deps.log }) };
  }

  private async shutdown(): Promise<void> {
    const r = this.running;
    if (!r) return;
    this.running = null;
    await r.endpoint.close();
    r.upstream?.writeThrough.close();
    r.upstream?.store.close();
    this.deps.changed();
  }

  private async remember(enabled: boolean): Promise<void> {
    const state: CacheState = { enabled, port: this.remembered?.port ?? null, upstream: this.remembered?.upstream ?? null };
    this.remembered = state;
    try {
      await writeCacheState(homePaths(this.deps.home).buildCacheState, state);
    } catch (err) {
      this.deps.log.warn(`build cache: could not save its state: ${(err as Error).message}`);
    }
  }

  private async writeInitScript(path: string): Promise<void> {
    const current = await readFile(path, 'utf8').catch(() => null);
    if (current !== GRADLE_INIT_SCRIPT) await writeFileAtomic(path, GRADLE_INIT_SCRIPT, 0o600);
  }

  private serialized<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }
}

function urlOf(port: number): string {
  return `http://${CACHE_HOST}:${port}`;
}
