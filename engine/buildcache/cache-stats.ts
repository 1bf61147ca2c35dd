// Counters of the build-cache endpoint: per protocol, the upstream tier, and Turborepo's telemetry.

import {
  BUILD_CACHE_PROTOCOLS,
  type BuildCacheProtocol,
  type BuildCacheProtocolStats,
  type BuildCacheStatus,
  type BuildCacheUpstreamStats,
} from '../api/build-cache-types';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function zeroProtocol(): Mutable<BuildCacheProtocolStats> {
  return { hits: 0, misses: 0, fallbacks: 0, puts: 0, rejected: 0, bytesIn: 0, bytesOut: 0 };
}

export class CacheStats {
  readonly protocols = Object.fromEntries(BUILD_CACHE_PROTOCOLS.map((p) => [p, zeroProtocol()])) as Record<BuildCacheProtocol, Mutable<BuildCacheProtocolStats>>;
  readonly upstream: Mutable<Omit<BuildCacheUpstreamStats, 'queued'>> = { hits: 0, misses: 0, errors: 0, written: 0, dropped: 0 };
  readonly turboEvents: Mutable<BuildCacheStatus['turboEvents']> = { localHits: 0, localMisses: 0, remoteHits: 0, remoteMisses: 0 };

  of(protocol: BuildCacheProtocol): Mutable<BuildCacheProtocolStats> {
    return this.protocols[protocol];
  }

  snapshot(queued: number): Pick<BuildCacheStatus, 'protocols' | 'upstreamStats' | 'turboEvents'> {
    const protocols = Object.fromEntries(BUILD_CACHE_PROTOCOLS.map((p) => [p, { ...this.protocols[p] }])) as BuildCacheStatus['protocols'];
    return { protocols, upstreamStats: { ...this.upstream, queued }, turboEvents: { ...this.turboEvents } };
  }
}

/** All protocols together: what the status bar and the dashboard show. */
export function totals(status: Pick<BuildCacheStatus, 'protocols'>): BuildCacheProtocolStats {
  const sum = zeroProtocol();
  for (const p of BUILD_CACHE_PROTOCOLS) {
    const s = status.protocols[p];
    for (const k of Object.keys(sum) as (keyof BuildCacheProtocolStats)[]) sum[k] += s[k];
  }
  return sum;
}

/** Hits over lookups, 0..1; null before the first lookup. */
export function hitRate(s: Pick<BuildCacheProtocolStats, 'hits' | 'misses'>): number | null {
  const lookups = s.hits + s.misses;
  return lookups === 0 ? null : s.hits / lookups;
}
