// Nx's self-hosted remote cache API: GET/PUT /v1/cache/<hash>, the hash a decimal u64. Nx fails
// the whole run on any GET status other than 200 and 404, and on any PUT error other than 403 and
// 409 (after retrying for seconds): so every refusal here is a 404 on reads and a 403 or 409 on
// writes, never a 5xx, 400 or 413.

import { readOrWrite, refuse, textBody, type Refusal, type Route, type RouteAction } from './route';

const PREFIX = '/v1/cache/';
const MAX_U64 = (1n << 64n) - 1n;

function isU64(text: string): boolean {
  return /^[0-9]{1,20}$/.test(text) && BigInt(text) <= MAX_U64;
}

export const nxRoute: Route = {
  protocol: 'nx',

  match(req): RouteAction | undefined {
    if (!req.path.startsWith(PREFIX)) return undefined;
    const hash = req.path.slice(PREFIX.length);
    if (!isU64(hash)) return refuse('bad-key', 'an Nx task hash is a decimal number below 2^64');
    // Overwrites are refused (409), which Nx ignores: an entry is never replaced under a running read.
    return readOrWrite(req, `nx/${hash}`, { ifAbsent: true });
  },

  status(refusal: Refusal, method: string): number {
    if (refusal === 'unauthorized') return 401;
    if (refusal === 'method') return 405;
    if (method === 'GET' || method === 'HEAD') return 404;
    return refusal === 'conflict' ? 409 : 403;
  },

  stored() {
    return { status: 200 };
  },

  errorBody: (_status, message) => textBody(message),
};
