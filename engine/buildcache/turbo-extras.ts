// Turborepo's requests that are not one entry: the status probe, the batch query (POST
// /v8/artifacts), the hit/miss events, and the CORS preflight of `--preflight`.

import { anything, arr, is, obj, rule, SchemaError, type Schema } from '../api/schema';
import { Deadline } from './deadline';
import type { EndpointParts, Exchange } from './exchange';
import { BodyTooLarge, readSmallBody, reply } from './http-io';
import { TURBO_HASH, turboKey, turboTeam } from './routes/turbo';

const MAX_JSON_BODY = 1024 * 1024;
const MAX_QUERY_HASHES = 1000;

function json(x: Exchange, status: number, value: unknown): void {
  reply(x.res, status, { type: 'application/json', text: JSON.stringify(value) });
}

/** The request's JSON body checked by `schema`, or undefined once the request is refused. */
async function jsonBody<T>(x: Exchange, schema: Schema<T>): Promise<T | undefined> {
  x.continueBody();
  let body: unknown;
  try {
    body = JSON.parse(await readSmallBody(x.req, MAX_JSON_BODY));
  } catch (err) {
    if (err instanceof BodyTooLarge) x.refuse('too-large', err.message);
    else x.refuse('bad-request', `the body is not JSON: ${(err as Error).message}`);
    return undefined;
  }
  try {
    return schema(body, 'body');
  } catch (err) {
    if (!(err instanceof SchemaError)) throw err;
    x.refuse('bad-request', err.rule ?? err.message);
    return undefined;
  }
}

/** POST /v8/artifacts: which of these hashes are stored. */
const queryBody = rule(
  obj({ hashes: arr(is((h): h is string => typeof h === 'string' && TURBO_HASH.test(h), 'an artifact hash'), MAX_QUERY_HASHES) }),
  `"hashes" must be a list of at most ${MAX_QUERY_HASHES} artifact hashes`,
);
/** POST /v8/artifacts/events: a list of outcomes; fields other than source and event are Turborepo's business. */
const eventsBody = rule(arr(anything), 'events are a JSON list');

export function turboStatus(x: Exchange): void {
  json(x, 200, { status: 'enabled' });
}

/** Which of the given hashes are stored, with their size and Turborepo's stored metadata. */
export async function turboQuery(x: Exchange, parts: EndpointParts): Promise<void> {
  const body = await jsonBody(x, queryBody);
  if (body === undefined) return;
  const { hashes } = body;
  const team = turboTeam(x.request.query);
  if (team === undefined) return x.refuse('bad-request', 'invalid teamId/slug');
  const deadline = new Deadline(parts.limits.deadlineMs);
  const answers = await Promise.all(
    hashes.map(async (hash) => {
      const outcome = await parts.store.open(turboKey(team, hash), deadline);
      if (outcome.kind !== 'hit') return [hash, null] as const;
      const { headers, size } = outcome.reader;
      outcome.reader.close();
      const tag = headers['x-artifact-tag'];
      return [hash, { size, taskDurationMs: Number(headers['x-artifact-duration'] ?? 0) || 0, ...(tag !== undefined ? { tag } : {}) }] as const;
    }),
  );
  json(x, 200, Object.fromEntries(answers));
}

/** Turborepo reports each task's cache outcome: free hit/miss telemetry. */
export async function turboEvents(x: Exchange, parts: EndpointParts): Promise<void> {
  const body = await jsonBody(x, eventsBody);
  if (body === undefined) return;
  const counts = parts.stats.turboEvents;
  for (const e of body) {
    const { source, event } = (e ?? {}) as { source?: unknown; event?: unknown };
    if (source === 'LOCAL' && event === 'HIT') counts.localHits++;
    else if (source === 'LOCAL' && event === 'MISS') counts.localMisses++;
    else if (source === 'REMOTE' && event === 'HIT') counts.remoteHits++;
    else if (source === 'REMOTE' && event === 'MISS') counts.remoteMisses++;
  }
  reply(x.res, 200);
}

/** CORS preflight (`turbo --preflight`): which methods and headers the real request may use. */
export function preflight(x: Exchange): void {
  reply(x.res, 200, undefined, {
    headers: {
      'access-control-allow-methods': 'GET, HEAD, PUT, POST, OPTIONS',
      'access-control-allow-headers': 'Authorization, Content-Type, User-Agent, x-artifact-duration, x-artifact-tag, x-artifact-client-ci, x-artifact-client-interactive',
      'access-control-max-age': '600',
    },
  });
}
