// Turborepo's requests that are not one entry: the status probe, the batch query (POST
// /v8/artifacts), the hit/miss events, and the CORS preflight of `--preflight`.

import { Deadline } from './deadline';
import type { EndpointParts, Exchange } from './exchange';
import { BodyTooLarge, readSmallBody, reply } from './http-io';
import { TURBO_HASH, turboKey, turboTeam } from './routes/turbo';

const MAX_JSON_BODY = 1024 * 1024;
const MAX_QUERY_HASHES = 1000;

function json(x: Exchange, status: number, value: unknown): void {
  reply(x.res, status, { type: 'application/json', text: JSON.stringify(value) });
}

async function jsonBody(x: Exchange): Promise<unknown> {
  x.continueBody();
  try {
    return JSON.parse(await readSmallBody(x.req, MAX_JSON_BODY));
  } catch (err) {
    if (err instanceof BodyTooLarge) x.refuse('too-large', err.message);
    else x.refuse('bad-request', `the body is not JSON: ${(err as Error).message}`);
    return undefined;
  }
}

export function turboStatus(x: Exchange): void {
  json(x, 200, { status: 'enabled' });
}

/** Which of the given hashes are stored, with their size and Turborepo's stored metadata. */
export async function turboQuery(x: Exchange, parts: EndpointParts): Promise<void> {
  const body = await jsonBody(x);
  if (body === undefined) return;
  const hashes = (body as { hashes?: unknown } | null)?.hashes;
  if (!Array.isArray(hashes) || hashes.length > MAX_QUERY_HASHES || !hashes.every((h) => typeof h === 'string' && TURBO_HASH.test(h))) {
    return x.refuse('bad-request', `"hashes" must be a list of at most ${MAX_QUERY_HASHES} artifact hashes`);
  }
  const team = turboTeam(x.request.query);
  if (team === undefined) return x.refuse('bad-request', 'invalid teamId/slug');
  const deadline = new Deadline(parts.limits.deadlineMs);
  const answers = await Promise.all(
    (hashes as string[]).map(async (hash) => {
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
  const body = await jsonBody(x);
  if (body === undefined) return;
  if (!Array.isArray(body)) return x.refuse('bad-request', 'events are a JSON list');
  const counts = parts.stats.turboEvents;
  for (const e of body as unknown[]) {
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
