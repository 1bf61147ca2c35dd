// A plain HTTP/1.1 client for tests of the build-cache endpoint: one request per connection, the
// whole reply read (or the error when the server cuts it short).

import { request, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';

export interface HttpReply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

export interface HttpOptions {
  readonly headers?: OutgoingHttpHeaders;
  /** Sent whole (Content-Length), or chunk by chunk (chunked unless a content-length header is given). */
  readonly body?: Buffer | AsyncIterable<Uint8Array>;
  /** Sent as "Authorization: Bearer <token>". */
  readonly token?: string;
}

export function httpRequest(port: number, method: string, path: string, opts: HttpOptions = {}): Promise<HttpReply> {
  return new Promise((resolve, reject) => {
    const headers: OutgoingHttpHeaders = { ...opts.headers };
    if (opts.token !== undefined) headers.authorization = `Bearer ${opts.token}`;
    if (Buffer.isBuffer(opts.body) && headers['content-length'] === undefined) headers['content-length'] = opts.body.length;
    const req = request({ host: '127.0.0.1', port, method, path, headers, agent: false }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts) }));
      res.on('error', reject);
      res.on('aborted', () => reject(new Error('the response was cut short')));
    });
    req.on('error', reject);
    const body = opts.body;
    if (body === undefined) req.end();
    else if (Buffer.isBuffer(body)) req.end(body);
    else {
      void (async () => {
        try {
          for await (const chunk of body) if (!req.write(chunk)) await new Promise((r) => req.once('drain', r));
          req.end();
        } catch (err) {
          req.destroy(err as Error);
        }
      })();
    }
  });
}
