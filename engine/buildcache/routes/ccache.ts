// ccache's HTTP storage backend under /ccache/: GET, HEAD, PUT and DELETE of any layout ccache
// uses (subdirs "/ccache/7a/4d8f...", flat, or bazel "/ccache/ac/<sha256>"). ccache counts an
// error as a miss and turns the remote off for the rest of that compile only.

import { readOrWrite, plainStatus, refuse, textBody, type Route, type RouteAction } from './route';

const PREFIX = '/ccache/';
const SEGMENT = /^[0-9A-Za-z_-][0-9A-Za-z_.-]{0,127}$/;
const MAX_KEY_LENGTH = 200;

export function isCcacheKey(rest: string): boolean {
  if (rest.length === 0 || rest.length > MAX_KEY_LENGTH) return false;
  const segments = rest.split('/');
  return segments.length <= 4 && segments.every((s) => SEGMENT.test(s));
}

export const ccacheRoute: Route = {
  protocol: 'ccache',

  match(req): RouteAction | undefined {
    if (!req.path.startsWith(PREFIX)) return undefined;
    const rest = req.path.slice(PREFIX.length);
    if (!isCcacheKey(rest)) return refuse('bad-key', 'a ccache key is 1 to 4 path segments of letters, digits, ".", "_" and "-" (200 characters at most)');
    const key = `ccache/${rest}`;
    if (req.method === 'DELETE') return { kind: 'delete', key };
    return readOrWrite(req, key);
  },

  status: plainStatus,

  stored() {
    return { status: 200 };
  },

  errorBody: (_status, message) => textBody(message),
};
