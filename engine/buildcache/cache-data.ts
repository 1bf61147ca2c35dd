// What the build cache needs from the engine's data layer: cache-durability streams (written,
// read, freed through the engine's public stream API), the streams it stored (to rebuild its
// catalog after a restart), and whether a stream can be read right now. engine-cache-data.ts
// implements it over the running engine; tests may implement it over anything.

import type { ReadStreamHandle, WriteStreamHandle } from '../api/engine-api';
import type { StoreOptions } from '../api/types';

export interface CacheStream {
  readonly id: string;
  readonly name: string;
  readonly size: number;
  readonly createdAt: number;
}

/**
 * readable: every chunk has a holder we can read from now. unreachable: every chunk still has a
 * holder, but one is disconnected (it may come back). lost: a chunk has no holder left (evicted).
 * absent: no such stream (freed, or flushed by the user).
 */
export type CacheStreamState = 'readable' | 'unreachable' | 'lost' | 'absent';

export interface CacheData {
  openWriteStream(opts: StoreOptions): Promise<WriteStreamHandle>;
  /** Rejects with NOT_FOUND for an unknown stream. */
  openReadStream(id: string): Promise<ReadStreamHandle>;
  /** Frees the stream on every holder; no error if it is already gone. */
  free(id: string): Promise<void>;
  /** Streams whose name starts with `prefix`. */
  streams(prefix: string): CacheStream[];
  state(id: string): CacheStreamState;
  /** Called when stored data changed (writes, frees, evictions). Returns the unsubscribe function. */
  onChange(listener: () => void): () => void;
}
