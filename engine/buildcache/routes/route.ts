// What a protocol's route set tells the server: which requests are its own and what each asks
// for (read, write, delete an entry, or something of its own), and how its clients must be told
// no. The status codes matter: several tools fail the whole build on the wrong one (see
// docs/build-cache.md, "Status codes").

import type { IncomingHttpHeaders } from 'node:http';
import type { BuildCacheProtocol } from '../../api/build-cache-types';
import type { StoredHeaders } from '../entry-format';

export interface CacheRequest {
  readonly method: string;
  /** The path as sent (percent-encoding kept: keys with '%' are refused anyway). */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  /** Path and query as sent, for an HTTP upstream of the same protocol. */
  readonly target: string;
}

export type Refusal =
  | 'unauthorized'
  | 'bad-key'
  | 'too-large'
  | 'store-failed'
  | 'conflict'
  | 'bad-request'
  | 'method';

/** Checks a stored payload before it is served (Bazel: an action result whose outputs are gone is a miss). */
export type PayloadCheck = (payload: Buffer) => boolean;

export type RouteAction =
  | {
      readonly kind: 'get';
      readonly key: string;
      readonly head: boolean;
      readonly check?: PayloadCheck;
    }
  | {
      readonly kind: 'put';
      readonly key: string;
      /** Request headers kept with the entry and returned on reads. */
      readonly keep: StoredHeaders;
      /** Content-addressed: the body must hash to this. */
      readonly sha256?: string;
      /** Refuse with 'conflict' when the key is already stored (Nx). */
      readonly ifAbsent?: boolean;
    }
  | { readonly kind: 'delete'; readonly key: string }
  | { readonly kind: 'custom'; readonly name: 'turbo-status' | 'turbo-query' | 'turbo-events' | 'preflight' }
  | { readonly kind: 'refuse'; readonly refusal: Refusal; readonly message: string };

export interface ErrorBody {
  readonly type: string;
  readonly text: string;
}

export interface Route {
  readonly protocol: BuildCacheProtocol;
  /** The action for a request on one of this protocol's paths; undefined for any other path. */
  match(req: CacheRequest): RouteAction | undefined;
  /** The status that tells this protocol's clients no, without failing their build where avoidable. */
  status(refusal: Refusal, method: string): number;
  /** Status and body of a stored PUT. */
  stored(key: string): { readonly status: number; readonly body?: ErrorBody };
  /** Body of any error status. */
  errorBody(status: number, message: string): ErrorBody;
}

/** The plain HTTP meaning of each refusal: what every protocol but Nx answers. */
export function plainStatus(refusal: Refusal): number {
  switch (refusal) {
    case 'unauthorized':
      return 401;
    case 'bad-key':
    case 'bad-request':
      return 400;
    case 'too-large':
      return 413;
    case 'store-failed':
      return 503;
    case 'conflict':
      return 409;
    case 'method':
      return 405;
  }
}

export function textBody(message: string): ErrorBody {
  return { type: 'text/plain; charset=utf-8', text: `${message}\n` };
}

export function refuse(refusal: Refusal, message: string): RouteAction {
  return { kind: 'refuse', refusal, message };
}

/** GET and HEAD read, PUT writes; anything else is refused. */
export function readOrWrite(req: CacheRequest, key: string, extra: { keep?: StoredHeaders; sha256?: string; ifAbsent?: boolean; check?: PayloadCheck } = {}): RouteAction {
  switch (req.method) {
    case 'GET':
    case 'HEAD':
      return { kind: 'get', key, head: req.method === 'HEAD', ...(extra.check ? { check: extra.check } : {}) };
    case 'PUT':
      return { kind: 'put', key, keep: { ...contentType(req), ...extra.keep }, ...(extra.sha256 ? { sha256: extra.sha256 } : {}), ...(extra.ifAbsent ? { ifAbsent: true } : {}) };
    default:
      return refuse('method', `${req.method} is not supported here`);
  }
}

/** The uploaded content type, kept so reads return it. */
function contentType(req: CacheRequest): StoredHeaders {
  const t = req.headers['content-type'];
  return typeof t === 'string' && t.length <= 128 && /^[\x21-\x7e][\x20-\x7e]*$/.test(t) ? { 'content-type': t } : {};
}

export const HEX_64 = /^[0-9a-f]{64}$/;
