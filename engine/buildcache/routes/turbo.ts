// Turborepo's remote cache API, v8: /v8/artifacts/status, GET/HEAD/PUT /v8/artifacts/<hash>
// (x-artifact-* headers stored and returned exactly), POST /v8/artifacts (which of these hashes are
// stored) and POST /v8/artifacts/events (hit/miss telemetry). Entries are scoped by team (the
// `teamId` or `slug` query parameter). Errors carry Turborepo's JSON body {error: {code, message}}.

import { isHeaderValue } from '../entry-format';
import { plainStatus, readOrWrite, refuse, type CacheRequest, type ErrorBody, type Route, type RouteAction } from './route';

/** Turborepo sends 16 hexadecimal digits; other clients of this API may use longer hashes. */
export const TURBO_HASH = /^[0-9a-fA-F]{8,128}$/;
const TEAM = /^[A-Za-z0-9._-]{1,128}$/;
const PREFIX = '/v8/artifacts';

/** The key of a Turborepo artifact: team (or "_") and hash. */
export function turboKey(team: string, hash: string): string {
  return `turbo/${team}/${hash}`;
}

/** The team a request acts for, "_" when it names none; undefined when the name is invalid. */
export function turboTeam(query: URLSearchParams): string | undefined {
  const team = query.get('teamId') ?? query.get('slug');
  if (team === null || team === '') return '_';
  return TEAM.test(team) ? team : undefined;
}

function artifactHeaders(req: CacheRequest): Record<string, string> {
  const keep: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (name.startsWith('x-artifact-') && typeof value === 'string' && isHeaderValue(value)) keep[name] = value;
  }
  return keep;
}

const CODES: Readonly<Record<number, string>> = {
  400: 'bad_request',
  401: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  413: 'payload_too_large',
  503: 'service_unavailable',
};

export const turboRoute: Route = {
  protocol: 'turbo',

  match(req): RouteAction | undefined {
    if (req.path !== PREFIX && !req.path.startsWith(`${PREFIX}/`)) return undefined;
    if (req.method === 'OPTIONS') return { kind: 'custom', name: 'preflight' };
    const rest = req.path.slice(PREFIX.length);
    if (rest === '/status') return req.method === 'GET' ? { kind: 'custom', name: 'turbo-status' } : refuse('method', 'status is GET only');
    if (rest === '' || rest === '/') return req.method === 'POST' ? { kind: 'custom', name: 'turbo-query' } : refuse('method', 'artifact queries are POST');
    if (rest === '/events') return req.method === 'POST' ? { kind: 'custom', name: 'turbo-events' } : refuse('method', 'events are POST');
    const hash = rest.slice(1);
    if (!TURBO_HASH.test(hash)) return refuse('bad-key', 'an artifact hash is 8 to 128 hexadecimal digits');
    const team = turboTeam(req.query);
    if (team === undefined) return refuse('bad-request', 'teamId/slug must be 1 to 128 letters, digits, ".", "_" or "-"');
    return readOrWrite(req, turboKey(team, hash), { keep: artifactHeaders(req) });
  },

  status: plainStatus,

  stored(key) {
    return { status: 202, body: { type: 'application/json', text: JSON.stringify({ urls: [key.slice(key.lastIndexOf('/') + 1)] }) } };
  },

  errorBody(status: number, message: string): ErrorBody {
    return { type: 'application/json', text: JSON.stringify({ error: { code: CODES[status] ?? 'error', message } }) };
  },
};
