// The build-cache endpoint's public model (docs/build-cache.md): what `memcloud cache`, the SDK and
// VS Code see of the HTTP endpoint that build tools use as their remote cache. Plain JSON values.

export const BUILD_CACHE_PROTOCOLS = ['turbo', 'nx', 'ccache', 'bazel', 'gradle'] as const;
export type BuildCacheProtocol = (typeof BUILD_CACHE_PROTOCOLS)[number];

/** Counters of one protocol's routes since the endpoint started. */
export interface BuildCacheProtocolStats {
  /** GET/HEAD answered with the entry. */
  readonly hits: number;
  /** GET/HEAD answered 404 (not stored, or not fetched within the deadline). */
  readonly misses: number;
  /** Of the misses: the entry was known but a peer was too slow or failed. */
  readonly fallbacks: number;
  /** PUTs stored (committed). */
  readonly puts: number;
  /** PUTs refused (too large, bad key, conflict, storage failure). */
  readonly rejected: number;
  /** Body bytes received in PUTs and sent in GETs. */
  readonly bytesIn: number;
  readonly bytesOut: number;
}

export interface BuildCacheUpstreamStats {
  /** LAN misses answered by the upstream (the entry is then kept in LAN RAM). */
  readonly hits: number;
  readonly misses: number;
  /** Upstream reads or writes that failed or timed out. */
  readonly errors: number;
  /** Entries written through to the upstream. */
  readonly written: number;
  /** Entries not written through because the queue was full. */
  readonly dropped: number;
  /** Entries waiting to be written through. */
  readonly queued: number;
}

export interface BuildCacheStatus {
  readonly running: boolean;
  /** http://127.0.0.1:PORT while running. */
  readonly url: string | null;
  readonly port: number | null;
  /** The upstream tier, with any password replaced by "***". */
  readonly upstream: string | null;
  readonly startedAt: number | null;
  /** Entries in the catalog and their stored size (payload plus entry header). */
  readonly entries: number;
  readonly bytes: number;
  readonly maxEntryBytes: number;
  readonly protocols: { readonly [P in BuildCacheProtocol]: BuildCacheProtocolStats };
  readonly upstreamStats: BuildCacheUpstreamStats;
  /** Turborepo's own telemetry (POST /v8/artifacts/events). */
  readonly turboEvents: { readonly localHits: number; readonly localMisses: number; readonly remoteHits: number; readonly remoteMisses: number };
}

export interface BuildCacheStartOptions {
  /** 0 or absent: the port used last time if it is free, else any free port. */
  readonly port?: number;
  /** redis://HOST:PORT, http(s)://..., or null to remove the upstream. Absent: keep the last one. */
  readonly upstream?: string | null;
}

/** What a shell or a terminal needs to point the build tools at the endpoint. */
export interface BuildCacheEnv {
  readonly url: string;
  /** Environment variables, in a stable order. */
  readonly vars: ReadonlyArray<{ readonly name: string; readonly value: string }>;
  /** Flags for bazel (it has no environment variables for this). */
  readonly bazelFlags: readonly string[];
  /** An init script for gradle (use with --init-script and --build-cache). */
  readonly gradleInitScript: string;
}
