// Bazel's HTTP remote cache: GET/HEAD/PUT [/<instance>]/ac/<sha256> (action results) and
// [/<instance>]/cas/<sha256> (content-addressed blobs: the body must hash to the key). An action
// result is served only while every CAS blob it points at is stored, so a hit never sends Bazel
// after a blob that was evicted (what bazel-remote calls AC validation).

import { referencedBlobs, ProtobufError } from '../action-result';
import { HEX_64, plainStatus, readOrWrite, refuse, textBody, type Route, type RouteAction } from './route';

const PATH = /^((?:\/[A-Za-z0-9_.-]+){0,4})\/(ac|cas)\/([^/]*)$/;

export interface BazelRouteDeps {
  /** The entry is stored and readable now. */
  has(key: string): boolean;
  /** An upstream tier may still hold blobs the LAN lacks: then a missing blob does not void a result. */
  hasUpstream(): boolean;
}

export function bazelKey(instance: string, kind: 'ac' | 'cas', hash: string): string {
  return `bazel/${instance || '_'}/${kind}/${hash}`;
}

export function createBazelRoute(deps: BazelRouteDeps): Route {
  return {
    protocol: 'bazel',

    match(req): RouteAction | undefined {
      const m = PATH.exec(req.path);
      if (!m) return undefined;
      const instance = m[1]!.slice(1);
      if (instance.split('/').some((s) => s === '.' || s === '..')) return refuse('bad-key', 'an instance name has no "." or ".." segments');
      const kind = m[2] as 'ac' | 'cas';
      const hash = m[3]!;
      if (!HEX_64.test(hash)) return refuse('bad-key', 'a digest is 64 lowercase hexadecimal digits (SHA-256)');
      const key = bazelKey(instance, kind, hash);
      if (kind === 'cas') return readOrWrite(req, key, { sha256: hash });
      return readOrWrite(req, key, {
        check: (payload) => {
          if (deps.hasUpstream()) return true;
          let blobs;
          try {
            blobs = referencedBlobs(payload);
          } catch (err) {
            if (err instanceof ProtobufError) return true; // not an ActionResult we can read: Bazel decides
            throw err;
          }
          return blobs.every((b) => HEX_64.test(b.hash) && deps.has(bazelKey(instance, 'cas', b.hash)));
        },
      });
    },

    status: plainStatus,

    stored() {
      return { status: 200 };
    },

    errorBody: (_status, message) => textBody(message),
  };
}
