// Any HTTP cache of the same protocols as the upstream tier (another MemCloud endpoint, a company
// bazel-remote, ...): a LAN miss is the same request sent there, a write through the same PUT.
// Credentials come from the URL: `http://user:password@host/` is sent as Basic auth (a MemCloud
// endpoint takes its token as the password), `http://token@host/` as a bearer token.

import { Agent as HttpAgent, request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { Deadline, TIMED_OUT } from '../deadline';
import { drained } from '../http-io';
import { isHeaderName, isHeaderValue, type StoredHeaders } from '../entry-format';
import { UpstreamError, type UpstreamEntry, type UpstreamRef, type UpstreamStore, type UpstreamWrite } from './upstream';

/** A write through may take this long between bytes. */
const IDLE_TIMEOUT_MS = 30_000;

/** Response headers worth keeping with an entry fetched from upstream. */
function keptHeaders(res: IncomingMessage): StoredHeaders {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(res.headers)) {
    if (typeof value !== 'string' || !isHeaderName(name) || !isHeaderValue(value)) continue;
    if (name.startsWith('x-artifact-') || name === 'content-type') out[name] = value;
  }
  return out;
}

export class HttpUpstream implements UpstreamStore {
  readonly description: string;
  private readonly base: URL;
  private readonly auth: string | undefined;
  private readonly agent: HttpAgent;
  private readonly request: typeof httpRequest;

  constructor(url: URL) {
    this.base = new URL(url.href);
    const user = decodeURIComponent(url.username);
    const password = decodeURIComponent(url.password);
    if (password !== '') this.auth = `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
    else if (user !== '') this.auth = `Bearer ${user}`;
    this.base.username = '';
    this.base.password = '';
    const shown = new URL(this.base.href);
    if (this.auth) shown.username = '***';
    this.description = shown.href.replace(/\/$/, '');
    const https = url.protocol === 'https:';
    this.agent = https ? new HttpsAgent({ keepAlive: true, maxSockets: 16 }) : new HttpAgent({ keepAlive: true, maxSockets: 16 });
    this.request = https ? (httpsRequest as unknown as typeof httpRequest) : httpRequest;
  }

  private path(target: string): string {
    return `${this.base.pathname.replace(/\/$/, '')}${target}`;
  }

  private headers(extra: OutgoingHttpHeaders = {}): OutgoingHttpHeaders {
    return { ...extra, ...(this.auth ? { authorization: this.auth } : {}) };
  }

  async fetch(ref: UpstreamRef, deadline: Deadline): Promise<UpstreamEntry | null> {
    const req = this.request({
      agent: this.agent,
      host: this.base.hostname,
      port: this.base.port,
      method: 'GET',
      path: this.path(ref.target),
      headers: this.headers({ accept: '*/*' }),
    });
    const response = new Promise<IncomingMessage>((resolve, reject) => {
      req.once('response', resolve);
      req.once('error', reject);
    });
    req.end();
    let res: IncomingMessage | typeof TIMED_OUT;
    try {
      res = await deadline.race(response);
    } catch (err) {
      req.destroy();
      throw new UpstreamError(`${this.description}: ${(err as Error).message}`);
    }
    if (res === TIMED_OUT) {
      req.destroy();
      throw new UpstreamError(`${this.description} did not answer within the deadline`);
    }
    if (res.statusCode === 404) {
      res.resume();
      return null;
    }
    if (res.statusCode !== 200) {
      res.resume();
      throw new UpstreamError(`${this.description} answered ${res.statusCode}`);
    }
    const length = res.headers['content-length'];
    const size = length !== undefined && /^\d{1,15}$/.test(length) ? Number(length) : undefined;
    res.setTimeout(IDLE_TIMEOUT_MS, () => res.destroy(new Error('the upstream stalled')));
    const stream = res;
    return {
      headers: keptHeaders(res),
      size,
      body: (async function* () {
        let received = 0;
        for await (const chunk of stream as AsyncIterable<Buffer>) {
          received += chunk.length;
          yield chunk;
        }
        if (size !== undefined && received !== size) throw new UpstreamError('the upstream response broke off');
      })(),
      abort: () => req.destroy(),
    };
  }

  async store(ref: UpstreamRef, entry: UpstreamWrite): Promise<void> {
    const req = this.request({
      agent: this.agent,
      host: this.base.hostname,
      port: this.base.port,
      method: 'PUT',
      path: this.path(ref.target),
      headers: this.headers({ 'content-type': 'application/octet-stream', ...entry.headers, 'content-length': entry.size }),
    });
    req.setTimeout(IDLE_TIMEOUT_MS, () => req.destroy(new Error('the upstream stalled')));
    const response = new Promise<IncomingMessage>((resolve, reject) => {
      req.once('response', resolve);
      req.once('error', reject);
    });
    response.catch(() => undefined);
    try {
      for await (const chunk of entry.body) {
        if (!req.write(chunk)) await drained(req, 'the upstream closed the connection');
      }
      req.end();
      const res = await response;
      res.resume();
      // 409: the upstream has it already (Nx); that is what we wanted.
      if (res.statusCode !== undefined && ((res.statusCode >= 200 && res.statusCode < 300) || res.statusCode === 409)) return;
      throw new UpstreamError(`${this.description} refused the write: ${res.statusCode}`);
    } catch (err) {
      req.destroy();
      throw err instanceof UpstreamError ? err : new UpstreamError(`${this.description}: ${(err as Error).message}`);
    }
  }

  close(): void {
    this.agent.destroy();
  }
}
