// The HTTP server build tools talk to: 127.0.0.1 only, every request authenticated by the token,
// a bounded number served at once, each sent to the first protocol route that claims its path.
// Whatever goes wrong inside, a read is answered with a 404 and a write with the protocol's
// refusal: the cache may miss, it never fails a build.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { ErrorCodes, MemCloudError } from '../errors';
import { TokenCheck } from './auth';
import { Deadline } from './deadline';
import { deleteEntry, receivePut, serveGet } from './entry-exchange';
import { Exchange, type EndpointParts } from './exchange';
import { reply } from './http-io';
import { RequestSlots } from './request-slots';
import { textBody, type CacheRequest, type Route, type RouteAction } from './routes/route';
import { preflight, turboEvents, turboQuery, turboStatus } from './turbo-extras';

export const CACHE_HOST = '127.0.0.1';

/**
 * The request's path exactly as sent (no dot-segment or percent-decoding normalization: keys with
 * '.', '..' or '%' segments are refused by the routes) and its query.
 */
function parseTarget(req: IncomingMessage): CacheRequest | undefined {
  const target = req.url ?? '';
  if (!target.startsWith('/') || target.length > 4096) return undefined;
  const q = target.indexOf('?');
  const path = q < 0 ? target : target.slice(0, q);
  const query = new URLSearchParams(q < 0 ? '' : target.slice(q + 1));
  return { method: req.method ?? 'GET', path, query, headers: req.headers, target };
}

export interface CacheEndpointOptions {
  readonly port: number;
  readonly token: string;
  readonly routes: readonly Route[];
  readonly parts: EndpointParts;
  /** Requests served at once (each may hold a stream window of memory). */
  readonly maxConcurrent: number;
  /** Requests waiting for a slot; beyond it reads miss and writes are refused at once. */
  readonly maxWaiting: number;
}

/** In-flight requests get this long to finish when the endpoint stops. */
const CLOSE_GRACE_MS = 3000;

export class CacheEndpoint {
  private readonly auth: TokenCheck;
  private readonly slots: RequestSlots;

  private constructor(
    private readonly server: Server,
    private readonly opts: CacheEndpointOptions,
  ) {
    this.auth = new TokenCheck(opts.token);
    this.slots = new RequestSlots(opts.maxConcurrent, opts.maxWaiting);
  }

  static async listen(opts: CacheEndpointOptions): Promise<CacheEndpoint> {
    const server = createServer({ requestTimeout: 600_000, headersTimeout: 15_000, keepAliveTimeout: 30_000, maxHeaderSize: 16 * 1024 });
    const endpoint = new CacheEndpoint(server, opts);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => endpoint.handle(req, res, false));
    server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => endpoint.handle(req, res, true));
    server.on('clientError', (_err, socket: Socket) => {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      else socket.destroy();
    });
    server.maxConnections = 256;
    server.setTimeout(120_000);
    await new Promise<void>((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException) => {
        const why = err.code === 'EADDRINUSE' ? `port ${opts.port} is already in use (choose another with --port)` : err.message;
        reject(new MemCloudError(ErrorCodes.BAD_ARGUMENT, `cannot open the build-cache endpoint on ${CACHE_HOST}:${opts.port}: ${why}`));
      };
      server.once('error', onError);
      server.listen(opts.port, CACHE_HOST, () => {
        server.off('error', onError);
        resolve();
      });
    });
    return endpoint;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** Stops accepting; requests in flight get a short grace, then every connection is closed. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      const force = setTimeout(() => this.server.closeAllConnections(), CLOSE_GRACE_MS);
      force.unref();
      this.server.close(() => {
        clearTimeout(force);
        resolve();
      });
      this.server.closeIdleConnections();
    });
  }

  private handle(req: IncomingMessage, res: ServerResponse, expectsContinue: boolean): void {
    const deadline = new Deadline(this.opts.parts.limits.deadlineMs);
    const request = parseTarget(req);
    if (!request) return reply(res, 400, textBody('malformed request target'), { close: true });
    let route: Route | undefined;
    let action: RouteAction | undefined;
    for (const r of this.opts.routes) {
      action = r.match(request);
      if (action) {
        route = r;
        break;
      }
    }
    if (!route || !action) return reply(res, 404, textBody('no build-cache route here (see docs/build-cache.md)'), { close: !req.complete });
    const x = new Exchange(req, res, request, route, deadline, expectsContinue, this.opts.parts.stats);
    const isPublic = action.kind === 'custom' && action.name === 'preflight';
    if (!isPublic && !this.auth.accepts(req.headers.authorization)) return x.refuse('unauthorized', 'missing or wrong token (see `memcloud cache env`)');
    if (action.kind === 'refuse') {
      if (action.refusal !== 'method') x.counters.rejected++;
      return x.refuse(action.refusal, action.message);
    }
    void this.serve(x, action);
  }

  private async serve(x: Exchange, action: Exclude<RouteAction, { kind: 'refuse' }>): Promise<void> {
    const { parts } = this.opts;
    const release = await this.slots.acquire(x.isRead ? x.deadline : undefined);
    if (!release) {
      if (x.isRead) {
        x.counters.fallbacks++;
        return x.miss('the cache is busy');
      }
      x.counters.rejected++;
      return x.refuse('store-failed', 'the cache is busy; try again');
    }
    try {
      switch (action.kind) {
        case 'get':
          return await serveGet(x, parts, action);
        case 'put':
          return await receivePut(x, parts, action);
        case 'delete':
          return await deleteEntry(x, parts, action.key);
        case 'custom':
          switch (action.name) {
            case 'turbo-status':
              return turboStatus(x);
            case 'turbo-query':
              return await turboQuery(x, parts);
            case 'turbo-events':
              return await turboEvents(x, parts);
            case 'preflight':
              return preflight(x);
          }
      }
    } catch (err) {
      parts.log.warn(`build cache: ${x.request.method} ${x.request.path} failed: ${(err as Error).message}`);
      if (x.res.headersSent) x.res.destroy();
      else if (x.isRead) x.miss('the entry could not be read');
      else x.refuse('store-failed', 'the entry could not be stored');
    } finally {
      release();
    }
  }
}
