// The build cache's settings: config.json's "buildCache" (validated strictly, with messages naming
// the setting), defaults for everything else. `true` enables the endpoint at every node start.
//
//   "buildCache": true
//   "buildCache": {"enabled": true, "port": 7798, "upstream": "redis://10.0.0.5:6379",
//                  "maxEntrySize": "512mb", "maxSize": "8gb", "deadlineMs": 100, "upstreamDeadlineMs": 300}

import { parseSize } from '../store/sizes';
import { parseUpstreamUrl } from './upstream/upstream-url';

export interface BuildCacheConfig {
  /** Open the endpoint whenever the node starts (true), never (false), or as last left by `memcloud cache start/stop` (undefined). */
  readonly enabled: boolean | undefined;
  /** Port to listen on; undefined: the last one used, else any free port. */
  readonly port: number | undefined;
  readonly upstream: string | undefined;
  readonly maxEntryBytes: number;
  /** Total bytes of entries kept (LRU beyond it); null: as much as the pool holds. */
  readonly maxTotalBytes: number | null;
  readonly deadlineMs: number;
  readonly upstreamDeadlineMs: number;
}

export const DEFAULT_BUILD_CACHE_CONFIG: BuildCacheConfig = Object.freeze({
  enabled: undefined,
  port: undefined,
  upstream: undefined,
  maxEntryBytes: 512 * 1024 * 1024,
  maxTotalBytes: null,
  deadlineMs: 100,
  upstreamDeadlineMs: 300,
});

const KEYS = new Set(['enabled', 'port', 'upstream', 'maxEntrySize', 'maxSize', 'deadlineMs', 'upstreamDeadlineMs']);

/** Throws Error with a message naming the bad setting (the caller adds the file name). */
export function parseBuildCacheConfig(raw: unknown): BuildCacheConfig {
  if (raw === undefined) return DEFAULT_BUILD_CACHE_CONFIG;
  if (typeof raw === 'boolean') return { ...DEFAULT_BUILD_CACHE_CONFIG, enabled: raw };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error('"buildCache" must be true, false or an object');
  const c = raw as Record<string, unknown>;
  for (const k of Object.keys(c)) if (!KEYS.has(k)) throw new Error(`unknown setting "buildCache.${k}" (known: ${[...KEYS].join(', ')})`);
  const int = (k: string, min: number, max: number): number | undefined => {
    const v = c[k];
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw new Error(`"buildCache.${k}" must be an integer from ${min} to ${max}`);
    return v;
  };
  const size = (k: string): number | undefined => {
    const v = c[k];
    if (v === undefined) return undefined;
    try {
      return parseSize(v as string | number);
    } catch (err) {
      throw new Error(`"buildCache.${k}": ${(err as Error).message}`);
    }
  };
  if (c.enabled !== undefined && typeof c.enabled !== 'boolean') throw new Error('"buildCache.enabled" must be true or false');
  if (c.upstream !== undefined) {
    if (typeof c.upstream !== 'string') throw new Error('"buildCache.upstream" must be a URL');
    parseUpstreamUrl(c.upstream);
  }
  const maxEntryBytes = size('maxEntrySize') ?? DEFAULT_BUILD_CACHE_CONFIG.maxEntryBytes;
  if (maxEntryBytes < 1024) throw new Error('"buildCache.maxEntrySize" must be at least 1kb');
  return {
    enabled: (c.enabled as boolean | undefined) ?? true,
    port: int('port', 0, 65535),
    upstream: c.upstream as string | undefined,
    maxEntryBytes,
    maxTotalBytes: size('maxSize') ?? null,
    deadlineMs: int('deadlineMs', 10, 60_000) ?? DEFAULT_BUILD_CACHE_CONFIG.deadlineMs,
    upstreamDeadlineMs: int('upstreamDeadlineMs', 10, 60_000) ?? DEFAULT_BUILD_CACHE_CONFIG.upstreamDeadlineMs,
  };
}
