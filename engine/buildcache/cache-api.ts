// The build cache's part of the engine API: the cache* methods, and the data half's listing and
// free() seeing the cache's entries as one item (data-item.ts).

import type { BuildCacheStartOptions } from '../api/build-cache-types';
import type { EngineApi } from '../api/engine-api';
import { ErrorCodes, MemCloudError } from '../errors';
import type { BuildCache } from './build-cache';
import { BUILD_CACHE_ITEM_ID, collapseBuildCache } from './data-item';

export const CACHE_METHODS = ['cacheStart', 'cacheStop', 'cacheStatus', 'cacheEnv', 'cacheClear'] as const;

export type BuildCacheApi = Pick<EngineApi, (typeof CACHE_METHODS)[number]>;

export function buildCacheApi(cache: BuildCache): BuildCacheApi {
  return {
    async cacheStart(opts: BuildCacheStartOptions = {}) {
      const port = opts.port;
      if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) {
        throw new MemCloudError(ErrorCodes.BAD_ARGUMENT, 'port must be an integer from 0 to 65535');
      }
      return cache.start(opts);
    },
    cacheStop: () => cache.stop(),
    cacheStatus: async () => cache.status(),
    cacheEnv: async () => cache.env(),
    cacheClear: async () => cache.clear(),
  };
}

/** `api` with the cache's entries folded into one listed item, which free() clears. */
export function withBuildCacheItem(api: EngineApi, cache: BuildCache): EngineApi {
  return {
    ...api,
    listData: async () => collapseBuildCache(await api.listData()),
    free: async (id: string) => {
      if (id === BUILD_CACHE_ITEM_ID) cache.clear();
      else await api.free(id);
    },
  };
}
