// CacheData over the running engine: streams through the data API (DataService), stream listings
// and readability from the catalog and the replica links. The only file of the build cache that
// knows how the engine keeps its data.

import type { ReplicaIO } from '../cluster/replica-io';
import type { Catalog } from '../data/catalog';
import type { DataApi } from '../data/data-service';
import { isMemCloudError } from '../errors';
import type { CacheData, CacheStream, CacheStreamState } from './cache-data';

export function engineCacheData(data: DataApi, catalog: Catalog, io: Pick<ReplicaIO, 'isReadable'>): CacheData {
  return {
    openWriteStream: (opts) => data.openWriteStream(opts),
    openReadStream: (id) => data.openReadStream(id),
    async free(id) {
      try {
        await data.free(id);
      } catch (err) {
        if (!isMemCloudError(err, 'NOT_FOUND')) throw err;
      }
    },
    streams(prefix) {
      const out: CacheStream[] = [];
      for (const s of catalog.streams.values()) {
        if (s.name.startsWith(prefix)) out.push({ id: s.id, name: s.name, size: s.size, createdAt: s.createdAt });
      }
      return out;
    },
    state(id): CacheStreamState {
      const s = catalog.streams.get(id);
      if (!s) return 'absent';
      let state: CacheStreamState = 'readable';
      for (const chunk of s.chunks) {
        const b = catalog.blocks.get(chunk);
        if (!b || b.holders.length === 0) return 'lost';
        if (state === 'readable' && !b.holders.some((h) => io.isReadable(h))) state = 'unreachable';
      }
      return state;
    },
    onChange(listener) {
      catalog.on('data-changed', listener);
      return () => catalog.off('data-changed', listener);
    },
  };
}
