// What a restored map keeps. This node's own RAM did not survive the restart, so replicas here are
// gone (a block with no other replica goes, and its key with it). Chunks of a stream that was never
// committed belong to a push that never returned: they go too (reconcile frees them on the peers).

import { SELF } from '../store/self';
import { applyChange } from './catalog';
import type { CatalogChange } from './catalog-change';
import type { OwnerIndex } from './owner-index';

export interface Settled {
  /** Blocks dropped because this node's RAM held their only replica. */
  readonly localOnly: number;
  /** Chunks of streams whose push never finished. */
  readonly unfinished: number;
}

export function settleAfterRestart(index: OwnerIndex): Settled {
  const changes: CatalogChange[] = [];
  let localOnly = 0;
  let unfinished = 0;
  for (const r of index.blocks.values()) {
    if (r.parent?.kind === 'stream' && !index.streams.has(r.parent.id)) {
      unfinished++;
      changes.push({ t: 'unblock', id: r.id });
      continue;
    }
    if (!r.holders.includes(SELF)) continue;
    const holders = r.holders.filter((h) => h !== SELF);
    if (holders.length > 0) {
      changes.push({ t: 'holders', id: r.id, holders, wanted: r.wanted });
      continue;
    }
    localOnly++;
    changes.push({ t: 'unblock', id: r.id });
    if (r.parent?.kind === 'key' && index.keys.get(r.parent.key) === r.id) changes.push({ t: 'unkey', key: r.parent.key });
  }
  for (const c of changes) applyChange(index, c);
  return { localOnly, unfinished };
}
