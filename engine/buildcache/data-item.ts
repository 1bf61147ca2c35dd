// In listings of what this node stores, the build cache's entries (one stream each, possibly many
// thousands) appear as one item: its size, entry count and holders; freeing it clears the cache.

import type { DataItem, ReplicaInfo } from '../api/types';
import { ENTRY_NAME_PREFIX } from './entry-store';

export const BUILD_CACHE_ITEM_ID = 'buildcache';

export function isBuildCacheItem(item: DataItem): boolean {
  return item.kind === 'stream' && item.name.startsWith(ENTRY_NAME_PREFIX);
}

/** `items` with every build-cache entry folded into one item (first in the list), if there are any. */
export function collapseBuildCache(items: readonly DataItem[]): DataItem[] {
  const rest: DataItem[] = [];
  let entries = 0;
  let size = 0;
  let createdAt = 0;
  const replicas = new Map<string, ReplicaInfo>();
  for (const item of items) {
    if (!isBuildCacheItem(item)) {
      rest.push(item);
      continue;
    }
    entries++;
    size += item.size;
    createdAt = Math.max(createdAt, item.createdAt);
    for (const r of item.replicas) replicas.set(r.holder, r);
  }
  if (entries === 0) return rest;
  const cache: DataItem = {
    id: BUILD_CACHE_ITEM_ID,
    kind: 'cache',
    name: `Build cache (${entries} ${entries === 1 ? 'entry' : 'entries'})`,
    size,
    durability: 'cache',
    createdAt,
    replicas: [...replicas.values()],
    degraded: false,
    state: 'ok',
    entries,
  };
  return [cache, ...rest];
}
