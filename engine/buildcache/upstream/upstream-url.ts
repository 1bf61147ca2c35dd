// `--upstream URL`: validated once, with messages that say what is wrong, then turned into the
// upstream store that speaks to it.

import { ErrorCodes, MemCloudError } from '../../errors';
import { HttpUpstream } from './http-upstream';
import { RedisUpstream } from './redis-upstream';
import type { UpstreamStore } from './upstream';

function bad(why: string): MemCloudError {
  return new MemCloudError(ErrorCodes.BAD_ARGUMENT, `--upstream: ${why} (expected redis://HOST:PORT or http(s)://HOST:PORT/...)`);
}

/** The upstream URL, checked: redis://[[user]:password@]host[:port][/db] or http(s)://... */
export function parseUpstreamUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    // Not echoed: the text may hold a password (redis://:PASSWORD@...), and this message reaches
    // the terminal, VS Code and the log.
    throw bad(`the ${text.length} characters given are not a URL (not shown, as they may hold a password)`);
  }
  if (url.hostname === '') throw bad('the URL has no host');
  switch (url.protocol) {
    case 'redis:':
      if (url.search || url.hash) throw bad('a redis URL has no query or fragment');
      if (url.pathname !== '' && url.pathname !== '/' && !/^\/\d{1,2}$/.test(url.pathname)) throw bad('the path of a redis URL is the database number, e.g. /0');
      return url;
    case 'http:':
    case 'https:':
      if (url.search || url.hash) throw bad('an HTTP upstream URL has no query or fragment');
      return url;
    default:
      throw bad(`unsupported scheme ${url.protocol}`);
  }
}

export function createUpstream(url: URL): UpstreamStore {
  if (url.protocol !== 'redis:') return new HttpUpstream(url);
  const db = url.pathname.length > 1 ? Number(url.pathname.slice(1)) : undefined;
  const user = decodeURIComponent(url.username);
  const password = url.password === '' ? undefined : decodeURIComponent(url.password);
  return new RedisUpstream({
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port === '' ? 6379 : Number(url.port),
    ...(password !== undefined ? { password } : {}),
    ...(password !== undefined && user !== '' ? { user } : {}),
    ...(db !== undefined ? { db } : {}),
  });
}

/** The URL as shown to people: any password replaced by "***". */
export function redactUpstream(text: string): string {
  try {
    const url = new URL(text);
    if (url.password !== '') url.password = '***';
    else if (url.username !== '' && url.protocol !== 'redis:') url.username = '***';
    return url.href.replace(/\/$/, '');
  } catch {
    return '(invalid URL)';
  }
}
