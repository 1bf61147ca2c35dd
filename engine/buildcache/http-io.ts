// Small pieces of HTTP plumbing for the endpoint: answering, streaming a body out with
// backpressure, and reading a small JSON body with a hard limit.

import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { ErrorBody } from './routes/route';

/** Sends a whole small response. With `close`, the connection ends after it (an unread body). */
export function reply(res: ServerResponse, status: number, body?: ErrorBody, opts: { headers?: OutgoingHttpHeaders; close?: boolean } = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const headers: OutgoingHttpHeaders = { ...opts.headers };
  if (opts.close) headers.connection = 'close';
  if (body) {
    const bytes = Buffer.from(body.text, 'utf8');
    headers['content-type'] = body.type;
    headers['content-length'] = bytes.length;
    res.writeHead(status, headers);
    res.end(bytes);
  } else {
    headers['content-length'] = 0;
    res.writeHead(status, headers);
    res.end();
  }
}

/** Writes every chunk, waiting for 'drain' when the socket is full; returns the bytes written. */
export async function writeAll(res: ServerResponse, chunks: AsyncIterable<Uint8Array>): Promise<number> {
  let written = 0;
  for await (const chunk of chunks) {
    if (res.destroyed) throw new Error('the client went away');
    written += chunk.length;
    if (!res.write(chunk)) await drained(res);
  }
  return written;
}

/** Resolves on the stream's next 'drain'; rejects if it closes first. */
export function drained(stream: NodeJS.EventEmitter, what = 'the client went away'): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (err?: Error) => {
      stream.off('drain', onDrain);
      stream.off('close', onClose);
      if (err) reject(err);
      else resolve();
    };
    const onDrain = () => done();
    const onClose = () => done(new Error(what));
    stream.once('drain', onDrain);
    stream.once('close', onClose);
  });
}

export class BodyTooLarge extends Error {
  override readonly name = 'BodyTooLarge';
}

/** A small body as UTF-8 text; BodyTooLarge beyond `limit` bytes (the rest is left unread). */
export async function readSmallBody(req: IncomingMessage, limit: number): Promise<string> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw new BodyTooLarge(`the body is larger than ${limit} bytes`);
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new BodyTooLarge(`the body is larger than ${limit} bytes`);
    parts.push(chunk);
  }
  return Buffer.concat(parts).toString('utf8');
}

/** The Content-Length of a request: undefined when absent (chunked); NaN when malformed. */
export function declaredLength(req: IncomingMessage): number | undefined {
  const v = req.headers['content-length'];
  if (v === undefined) return undefined;
  return /^\d{1,15}$/.test(v) ? Number(v) : Number.NaN;
}
