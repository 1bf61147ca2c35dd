// buildcache.json in the home: what `memcloud cache start` / `stop` (or VS Code) last chose, so a
// restarted node reopens the endpoint on the same port (shells and terminals keep its URL) with the
// same upstream. 0600 (an upstream URL may hold a password), replaced atomically.

import { writeFileAtomic, readFileStrict } from '../home/atomic-file';
import type { Logger } from '../log/log';
import { parseUpstreamUrl } from './upstream/upstream-url';

export interface CacheState {
  readonly enabled: boolean;
  readonly port: number | null;
  readonly upstream: string | null;
}

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
  try {
    const raw = JSON.parse(text) as Record<string, unknown>;
    const { enabled, port, upstream } = raw;
    if (typeof enabled !== 'boolean') throw new Error('"enabled" is not a boolean');
    if (port !== null && (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535)) throw new Error('"port" is not a port');
    if (upstream !== null) {
      if (typeof upstream !== 'string') throw new Error('"upstream" is not a URL');
      parseUpstreamUrl(upstream);
    }
    return { enabled, port: port as number | null, upstream: upstream as string | null };
  } catch (err) {
    log.warn(`build cache: ignoring ${path}, which is damaged (${(err as Error).message}); the endpoint stays off until \`memcloud cache start\``);
    return undefined;
  }
}

export async function writeCacheState(path: string, state: CacheState): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify({ version: 1, ...state }, null, 2)}\n`, 0o600);
}
