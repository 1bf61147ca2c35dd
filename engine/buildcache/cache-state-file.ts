// buildcache.json in the home: what `memcloud cache start` / `stop` (or VS Code) last chose, so a
// restarted node reopens the endpoint on the same port (shells and terminals keep its URL) with the
// same upstream. 0600 (an upstream URL may hold a password), replaced atomically.

import { parseJsonFile } from '../api/json-file';
import { bool, int, literal, nullable, obj, parsedBy, str } from '../api/schema';
import { writeFileAtomic, readFileStrict } from '../home/atomic-file';
import type { Logger } from '../log/log';
import { parseUpstreamUrl } from './upstream/upstream-url';

export interface CacheState {
  readonly enabled: boolean;
  readonly port: number | null;
  readonly upstream: string | null;
}

const cacheStateFile = obj(
  { enabled: bool, port: nullable(int(1, 65535)), upstream: nullable(parsedBy(str, parseUpstreamUrl)) },
  { version: literal(1) },
);

/** The remembered state; undefined when there is none or it is unusable (then the endpoint stays off). */
export async function readCacheState(path: string, log: Logger): Promise<CacheState | undefined> {
  let text: string;
  try {
    const read = await readFileStrict(path, { maxBytes: 16 * 1024 });
    if (read === undefined) return undefined;
    text = read.data.toString('utf8');
  } catch (err) {
    log.warn(`build cache: ignoring ${path}: ${(err as Error).message}`);
    return undefined;
  }
  const state = parseJsonFile(text, cacheStateFile);
  if (typeof state === 'string') {
    log.warn(`build cache: ignoring ${path}, which is damaged (${state}); the endpoint stays off until \`memcloud cache start\``);
    return undefined;
  }
  return { enabled: state.enabled, port: state.port, upstream: state.upstream };
}

export async function writeCacheState(path: string, state: CacheState): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify({ version: 1, ...state }, null, 2)}\n`, 0o600);
}
