// The build cache's settings: config.json's "buildCache" (its schema below, strict, with messages
// naming the setting), defaults for everything else. `true` enables the endpoint at every node start.
//
//   "buildCache": true
//   "buildCache": {"enabled": true, "port": 7798, "upstream": "redis://10.0.0.5:6379",
//                  "maxEntrySize": "512mb", "maxSize": "8gb", "deadlineMs": 100, "upstreamDeadlineMs": 300}

import { problemSentence } from '../api/json-file';
import { and, anything, bool, int, obj, parsedBy, refine, rule, SchemaError, str, type Infer, type Schema } from '../api/schema';
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

const KEYS = ['enabled', 'port', 'upstream', 'maxEntrySize', 'maxSize', 'deadlineMs', 'upstreamDeadlineMs'] as const;

const sizeOf = (v: unknown): number => parseSize(v as string | number);
const size = (key: string) => parsedBy(anything, sizeOf, `buildCache.${key}`);

const buildCacheObject = refine(
  obj(
    {},
    {
      enabled: rule(bool, '"buildCache.enabled" must be true or false'),
      port: int(0, 65535),
      upstream: parsedBy(rule(str, '"buildCache.upstream" must be a URL'), parseUpstreamUrl),
      maxEntrySize: size('maxEntrySize'),
      maxSize: size('maxSize'),
      deadlineMs: int(10, 60_000),
      upstreamDeadlineMs: int(10, 60_000),
    },
    (key) => `unknown setting ${JSON.stringify(`buildCache.${key}`)} (known: ${KEYS.join(', ')})`,
  ),
  (c) => (c.maxEntrySize !== undefined && sizeOf(c.maxEntrySize) < 1024 ? '"buildCache.maxEntrySize" must be at least 1kb' : undefined),
);

/** config.json's "buildCache": true, false or the object above (at the path `.buildCache`). */
export const buildCacheSetting: Schema<boolean | Infer<typeof buildCacheObject>> = (v, p) =>
  typeof v === 'boolean' ? v : and(rule(obj({}), '"buildCache" must be true, false or an object'), buildCacheObject)(v, p);

/** Throws Error with a message naming the bad setting (the caller adds the file name). */
export function parseBuildCacheConfig(raw: unknown): BuildCacheConfig {
  if (raw === undefined) return DEFAULT_BUILD_CACHE_CONFIG;
  let c: boolean | Infer<typeof buildCacheObject>;
  try {
    c = buildCacheSetting(raw, '.buildCache');
  } catch (err) {
    if (err instanceof SchemaError) throw new Error(problemSentence(err));
    throw err;
  }
  if (typeof c === 'boolean') return { ...DEFAULT_BUILD_CACHE_CONFIG, enabled: c };
  return {
    enabled: c.enabled ?? true,
    port: c.port,
    upstream: c.upstream,
    maxEntryBytes: c.maxEntrySize === undefined ? DEFAULT_BUILD_CACHE_CONFIG.maxEntryBytes : sizeOf(c.maxEntrySize),
    maxTotalBytes: c.maxSize === undefined ? null : sizeOf(c.maxSize),
    deadlineMs: c.deadlineMs ?? DEFAULT_BUILD_CACHE_CONFIG.deadlineMs,
    upstreamDeadlineMs: c.upstreamDeadlineMs ?? DEFAULT_BUILD_CACHE_CONFIG.upstreamDeadlineMs,
  };
}
