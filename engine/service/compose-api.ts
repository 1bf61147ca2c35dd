// The engine API in parts served by their own objects (data: DataService; node, peers and trust:
// EngineService; build cache: BuildCache) and put together once here, methods bound rather than
// forwarded by hand.

import { checkArgument } from '../api/arguments';
import type { EngineApi } from '../api/engine-api';
import { fileTransferOptions, storeOptions } from '../api/schemas';
import { CACHE_METHODS, type BuildCacheApi } from '../buildcache/cache-api';
import type { DataApi } from '../data/data-service';

export const DATA_METHODS = [
  'store', 'load', 'free', 'set', 'get', 'del', 'keys', 'openWriteStream', 'openReadStream', 'pushFile', 'pullFile', 'cancelTransfer', 'listData', 'flush',
] as const satisfies readonly (keyof DataApi)[];

export type NodeApi = Omit<EngineApi, (typeof DATA_METHODS)[number] | (typeof CACHE_METHODS)[number]>;

export const NODE_METHODS = [
  'status', 'stats', 'peers', 'connect', 'disconnect', 'updatePeer', 'trustList', 'trustAdd', 'trustRemove', 'trustRename', 'consentList', 'consentAnswer',
  'setOffer', 'logs', 'shutdown', 'subscribe',
] as const satisfies readonly (keyof NodeApi)[];

// Every method of EngineApi is in exactly one list (a compile error names any that is missing).
type Listed = (typeof DATA_METHODS)[number] | (typeof NODE_METHODS)[number] | (typeof CACHE_METHODS)[number];
const everyMethodListed: Record<Exclude<keyof EngineApi, Listed>, never> = {};
void everyMethodListed;

export function composeApi(node: NodeApi, data: DataApi, cache: BuildCacheApi): EngineApi {
  const api: Record<string, unknown> = {};
  for (const m of NODE_METHODS) api[m] = (node[m] as (...a: unknown[]) => unknown).bind(node);
  for (const m of DATA_METHODS) api[m] = (data[m] as (...a: unknown[]) => unknown).bind(data);
  for (const m of CACHE_METHODS) api[m] = (cache[m] as (...a: unknown[]) => unknown).bind(cache);
  return api as unknown as EngineApi;
}

/**
 * The in-process entry of the API: checks the options rules (api/schemas.ts) that the control
 * socket checks at its own boundary, so every caller's options are checked exactly once.
 */
export function withArgumentChecks(api: EngineApi): EngineApi {
  const opts = <T>(schema: (v: unknown, p: string) => T, v: T | undefined): T | undefined => (v === undefined ? v : checkArgument(schema, v, 'options'));
  return {
    ...api,
    store: async (data, o) => api.store(data, opts(storeOptions, o)),
    set: async (key, value, o) => api.set(key, value, opts(storeOptions, o)),
    openWriteStream: async (o) => api.openWriteStream(opts(storeOptions, o)),
    pushFile: async (path, o) => api.pushFile(path, opts(fileTransferOptions, o)),
  };
}
