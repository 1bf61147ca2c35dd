// Reading, writing and deleting one entry over HTTP, the same for every protocol. A read that is
// not answered by a peer within the deadline is a 404 (never an error the build tool could trip
// on); a LAN miss is looked up upstream and kept in LAN RAM while it streams to the client. A
// write streams into the pool and is committed only when complete.

import { ChunkChannel } from './chunk-channel';
import { Deadline } from './deadline';
import type { StoredHeaders } from './entry-format';
import { PutRefused, type EntryReader, type PutFailure } from './entry-store';
import type { EndpointParts, Exchange } from './exchange';
import { declaredLength, drained, reply, writeAll } from './http-io';
import type { Refusal, RouteAction } from './routes/route';
import type { UpstreamRef } from './upstream/upstream';

type GetAction = Extract<RouteAction, { kind: 'get' }>;
type PutAction = Extract<RouteAction, { kind: 'put' }>;

/** Payloads larger than this are served without their check (action results are far smaller). */
const MAX_CHECKED_PAYLOAD = 4 * 1024 * 1024;

/** Only these stored headers are ever sent back: nothing stored can shape the response otherwise. */
function servedHeaders(stored: StoredHeaders): Record<string, string> {
  const out: Record<string, string> = { 'content-type': 'application/octet-stream' };
  for (const [name, value] of Object.entries(stored)) {
    if (name === 'content-type' || name.startsWith('x-artifact-')) out[name] = value;
  }
  return out;
}

function upstreamRef(x: Exchange, key: string): UpstreamRef {
  return { protocol: x.route.protocol, key, target: x.request.target };
}

export async function serveGet(x: Exchange, parts: EndpointParts, action: GetAction): Promise<void> {
  const outcome = await parts.store.open(action.key, x.deadline);
  if (outcome.kind === 'hit') {
    const { reader } = outcome;
    if (action.check && reader.size <= MAX_CHECKED_PAYLOAD) return serveChecked(x, reader, action);
    return sendEntry(x, reader.headers, reader.size, reader.chunks(), action.head, () => reader.close());
  }
  if (outcome.kind === 'fallback') {
    x.counters.fallbacks++;
    parts.log.debug(`build cache: ${action.key} counted as a miss: ${outcome.why}`);
  } else if (!action.head && parts.upstream && (await serveFromUpstream(x, parts, action))) {
    return;
  }
  x.miss();
}

async function serveChecked(x: Exchange, reader: EntryReader, action: GetAction): Promise<void> {
  const parts: Uint8Array[] = [];
  try {
    for await (const chunk of reader.chunks()) parts.push(chunk);
  } catch {
    x.counters.fallbacks++;
    return x.miss('the entry could not be read');
  }
  const payload = Buffer.concat(parts);
  if (!action.check!(payload)) return x.miss('an output of this action result is no longer stored');
  return sendEntry(x, reader.headers, payload.length, single(payload), action.head, () => reader.close());
}

async function* single(payload: Buffer): AsyncGenerator<Uint8Array> {
  if (payload.length > 0) yield payload;
}

async function sendEntry(x: Exchange, headers: StoredHeaders, size: number, chunks: AsyncGenerator<Uint8Array>, head: boolean, close: () => void): Promise<void> {
  x.counters.hits++;
  x.res.writeHead(200, { ...servedHeaders(headers), 'content-length': size });
  if (head) {
    close();
    x.res.end();
    return;
  }
  try {
    x.counters.bytesOut += await writeAll(x.res, chunks);
    x.res.end();
  } catch {
    x.res.destroy(); // a holder failed mid-body: a truncated response, never a wrong one
  } finally {
    close();
  }
}

/** True when the upstream had it: then it has been (or is being) sent, and kept in LAN RAM. */
async function serveFromUpstream(x: Exchange, parts: EndpointParts, action: GetAction): Promise<boolean> {
  const { stats, log, limits, store } = parts;
  const upstream = parts.upstream!.store;
  let entry;
  try {
    entry = await upstream.fetch(upstreamRef(x, action.key), new Deadline(limits.upstreamDeadlineMs));
  } catch (err) {
    stats.upstream.errors++;
    log.debug(`build cache: upstream lookup of ${action.key} failed: ${(err as Error).message}`);
    return false;
  }
  if (!entry) {
    stats.upstream.misses++;
    return false;
  }
  stats.upstream.hits++;
  const keep = new ChunkChannel();
  const sha256 = action.key.includes('/cas/') ? action.key.slice(-64) : undefined;
  const limitsOfEntry = { maxBytes: limits.maxEntryBytes, ...(entry.size !== undefined ? { expectedBytes: entry.size } : {}), ...(sha256 ? { sha256 } : {}) };
  void store.put(action.key, entry.headers, keep, limitsOfEntry).catch((err: unknown) => log.debug(`build cache: not keeping ${action.key} from upstream: ${(err as Error).message}`));
  x.counters.hits++;
  x.res.writeHead(200, { ...servedHeaders(entry.headers), ...(entry.size !== undefined ? { 'content-length': entry.size } : {}) });
  try {
    for await (const chunk of entry.body) {
      const kept = keep.push(chunk);
      if (!x.res.write(chunk)) await drained(x.res);
      await kept;
      x.counters.bytesOut += chunk.length;
    }
    keep.end();
    x.res.end();
  } catch (err) {
    keep.fail(err as Error);
    entry.abort();
    x.res.destroy();
  }
  return true;
}

const REFUSAL_OF: Readonly<Record<PutFailure, Refusal>> = {
  'too-large': 'too-large',
  'digest-mismatch': 'bad-request',
  incomplete: 'bad-request',
  storage: 'store-failed',
};

export async function receivePut(x: Exchange, parts: EndpointParts, action: PutAction): Promise<void> {
  const { store, limits } = parts;
  const declared = declaredLength(x.req);
  if (Number.isNaN(declared)) return reject(x, 'bad-request', 'malformed Content-Length');
  if (declared !== undefined && declared > limits.maxEntryBytes) {
    return reject(x, 'too-large', `the entry (${declared} bytes) exceeds the limit of ${limits.maxEntryBytes} bytes`);
  }
  if (action.ifAbsent && store.has(action.key)) return reject(x, 'conflict', 'this entry is already stored');
  x.continueBody();
  try {
    const received = await store.put(action.key, action.keep, x.req, {
      maxBytes: limits.maxEntryBytes,
      ...(declared !== undefined ? { expectedBytes: declared } : {}),
      ...(action.sha256 ? { sha256: action.sha256 } : {}),
    });
    x.counters.puts++;
    x.counters.bytesIn += received;
    const ok = x.route.stored(action.key);
    reply(x.res, ok.status, ok.body);
    parts.upstream?.writeThrough.enqueue(upstreamRef(x, action.key));
  } catch (err) {
    if (!(err instanceof PutRefused)) throw err;
    if (err.reason === 'storage') parts.log.warn(`build cache: could not store ${action.key}: ${err.message}`);
    reject(x, REFUSAL_OF[err.reason], err.message);
  }
}

function reject(x: Exchange, refusal: Refusal, message: string): void {
  x.counters.rejected++;
  x.refuse(refusal, message);
}

export async function deleteEntry(x: Exchange, parts: EndpointParts, key: string): Promise<void> {
  if (await parts.store.delete(key)) reply(x.res, 200);
  else reply(x.res, 404, x.route.errorBody(404, 'not in the cache'));
}
