// One change to the catalog. Each sets the state of one entity (a block, a block's holders, a key,
// a stream) or removes it, so applying a change twice, or replaying a journal over a snapshot that
// already contains its changes, ends in the same state.

import type { HolderId } from '../cluster/replica-io';
import type { BlockRecord, StreamRecord } from './owner-index';

export type CatalogChange =
  /** Adds a block, or replaces the record of one with the same id. */
  | { readonly t: 'block'; readonly record: BlockRecord }
  | { readonly t: 'holders'; readonly id: string; readonly holders: readonly HolderId[]; readonly wanted: number }
  | { readonly t: 'unblock'; readonly id: string }
  /** Maps a key to a block. */
  | { readonly t: 'key'; readonly key: string; readonly id: string }
  | { readonly t: 'unkey'; readonly key: string }
  | { readonly t: 'stream'; readonly record: StreamRecord }
  | { readonly t: 'unstream'; readonly id: string }
  /** Forgets every block, key and stream. */
  | { readonly t: 'clear' };
