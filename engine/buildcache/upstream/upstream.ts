// The optional tier behind the LAN: a Redis server or any HTTP cache of the same protocols (another
// MemCloud endpoint, bazel-remote, ...). A LAN miss is looked up there within the deadline; entries
// stored in the LAN are written through to it in the background.

import type { BuildCacheProtocol } from '../../api/build-cache-types';
import type { Deadline } from '../deadline';
import type { StoredHeaders } from '../entry-format';

/** Which entry: our key (Redis) and the request path and query (an HTTP cache of the same protocol). */
export interface UpstreamRef {
  readonly protocol: BuildCacheProtocol;
  readonly key: string;
  readonly target: string;
}

export interface UpstreamEntry {
  readonly headers: StoredHeaders;
  /** Payload bytes, when the upstream said. */
  readonly size: number | undefined;
  /** The payload; throws if the upstream breaks off. */
  readonly body: AsyncIterable<Uint8Array>;
  /** Stops reading (the connection is closed). Idempotent. */
  abort(): void;
}

export interface UpstreamWrite {
  readonly headers: StoredHeaders;
  readonly size: number;
  readonly body: AsyncIterable<Uint8Array>;
}

export interface UpstreamStore {
  /** The URL with any password replaced by "***". */
  readonly description: string;
  /** The entry, or null when the upstream does not have it. Throws on errors and when the deadline passes. */
  fetch(ref: UpstreamRef, deadline: Deadline): Promise<UpstreamEntry | null>;
  /** Stores an entry (resolves once the upstream acknowledged it). */
  store(ref: UpstreamRef, entry: UpstreamWrite): Promise<void>;
  close(): void;
}

export class UpstreamError extends Error {
  override readonly name = 'UpstreamError';
}
