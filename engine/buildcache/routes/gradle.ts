// Gradle's HTTP build cache: GET/PUT /cache/<key> (Gradle's cache keys are 32 hexadecimal digits;
// longer hex keys are accepted for newer versions). Gradle sends Basic auth only (the token as the
// password). Gradle 4 turns the remote cache off for the rest of the build on any error status.

import { plainStatus, readOrWrite, refuse, textBody, type Route, type RouteAction } from './route';

const PREFIX = '/cache/';
const KEY = /^[0-9a-f]{32,128}$/;

export const gradleRoute: Route = {
  protocol: 'gradle',

  match(req): RouteAction | undefined {
    if (!req.path.startsWith(PREFIX)) return undefined;
    const key = req.path.slice(PREFIX.length);
    if (key.includes('/')) return undefined; // e.g. a Bazel instance named "cache"
    if (!KEY.test(key)) return refuse('bad-key', 'a Gradle cache key is 32 to 128 lowercase hexadecimal digits');
    return readOrWrite(req, `gradle/${key}`);
  },

  status: plainStatus,

  stored() {
    return { status: 200 };
  },

  errorBody: (_status, message) => textBody(message),
};
