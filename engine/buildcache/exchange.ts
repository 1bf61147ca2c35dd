// What a request's handler works with: the HTTP request and response, the protocol's route and
// counters, the read deadline (started when the request arrived), and the endpoint's parts.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BuildCacheProtocolStats } from '../api/build-cache-types';
import type { Logger } from '../log/log';
import type { CacheStats } from './cache-stats';
import type { Deadline } from './deadline';
import type { EntryStore } from './entry-store';
import { reply } from './http-io';
import type { CacheRequest, Refusal, Route } from './routes/route';
import type { UpstreamStore } from './upstream/upstream';
import type { WriteThrough } from './upstream/write-through';

export interface EndpointLimits {
  /** Largest payload accepted in one entry. */
  readonly maxEntryBytes: number;
  /** Reads from peers must start within this. */
  readonly deadlineMs: number;
  /** Reads from the upstream tier must start within this. */
  readonly upstreamDeadlineMs: number;
}

export interface UpstreamTier {
  readonly store: UpstreamStore;
  readonly writeThrough: WriteThrough;
}

export interface EndpointParts {
  readonly store: EntryStore;
  readonly stats: CacheStats;
  readonly upstream: UpstreamTier | null;
  readonly limits: EndpointLimits;
  readonly log: Logger;
}

export class Exchange {
  readonly counters: { -readonly [K in keyof BuildCacheProtocolStats]: BuildCacheProtocolStats[K] };

  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    readonly request: CacheRequest,
    readonly route: Route,
    readonly deadline: Deadline,
    private readonly expectsContinue: boolean,
    stats: CacheStats,
  ) {
    this.counters = stats.of(route.protocol);
  }

  get isRead(): boolean {
    return this.request.method === 'GET' || this.request.method === 'HEAD';
  }

  /** A client that sent "Expect: 100-continue" may now send its body. */
  continueBody(): void {
    if (this.expectsContinue && !this.res.headersSent) this.res.writeContinue();
  }

  /** Tells the client no, the way its protocol expects. The connection closes when a body may be unread. */
  refuse(refusal: Refusal, message: string): void {
    const status = this.route.status(refusal, this.request.method);
    const unreadBody = !this.isRead && !this.req.complete;
    const headers = refusal === 'unauthorized' ? { 'www-authenticate': 'Bearer realm="memcloud", Basic realm="memcloud"' } : {};
    reply(this.res, status, this.route.errorBody(status, message), { headers, close: unreadBody });
  }

  /** A 404: not stored, or not readable in time. */
  miss(message = 'not in the cache'): void {
    this.counters.misses++;
    reply(this.res, 404, this.route.errorBody(404, message));
  }
}
