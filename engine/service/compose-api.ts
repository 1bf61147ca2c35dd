// The engine API in parts served by their own objects (the node: NodeService; peers: PeerService;
// trust and consent: TrustService; events: NodeEvents; data: DataService; build cache:
// BuildCache) and put together once here, methods bound rather than forwarded by hand.

import { checkArgument } from '../api/arguments';
import type { EngineApi } from '../api/engine-api';
import { fileTransferOptions, storeOptions } from '../api/schemas';
import { CACHE_METHODS } from '../buildcache/cache-api';
import type { DataApi } from '../data/data-service';

export const DATA_METHODS = [
  'store', 'load', 'free', 'set', 'get', 'del', 'keys', 'openWriteStream', 'openReadStream', 'pushFile', 'pullFile', 'cancelTransfer', 'listData', 'flush',
] as const satisfies readonly (keyof DataApi)[];

export const NODE_METHODS = ['status', 'stats', 'setOffer', 'logs', 'shutdown'] as const satisfies readonly (keyof EngineApi)[];
export const PEER_METHODS = ['peers', 'connect', 'disconnect', 'updatePeer'] as const satisfies readonly (keyof EngineApi)[];
export const TRUST_METHODS = [
  'trustList', 'trustAdd', 'trustRemove', 'trustRename', 'consentList', 'consentAnswer',
] as const satisfies readonly (keyof EngineApi)[];
export const EVENT_METHODS = ['subscribe'] as const satisfies readonly (keyof EngineApi)[];

const METHODS = {
  node: NODE_METHODS,
  peers: PEER_METHODS,
  trust: TRUST_METHODS,
  events: EVENT_METHODS,
  data: DATA_METHODS,
  cache: CACHE_METHODS,
} as const;

// Every method of EngineApi is in exactly one list (a compile error names any that is missing).
type Listed = (typeof METHODS)[keyof typeof METHODS][number];
const everyMethodListed: Record<Exclude<keyof EngineApi, Listed>, never> = {};
void everyMethodListed;

/** The objects that serve the API, each for its own methods. */
export type ApiParts = { readonly [P in keyof typeof METHODS]: Pick<EngineApi, (typeof METHODS)[P][number]> };

export function composeApi(parts: ApiParts): EngineApi {
  const api: Record<string, unknown> = {};
  for (const part of Object.keys(METHODS) as (keyof typeof METHODS)[]) {
    const served = parts[part] as unknown as Record<string, (...a: unknown[]) => unknown>;
    for (const m of METHODS[part]) api[m] = served[m]!.bind(served);
  }
  return api as unknown as EngineApi;
}

/**
 * The in-process entry of the API: checks the options rules (api/schemas.ts) that the control
 * socket checks at its own boundary, so every caller's options are checked exactly once.
 */
export function withArgumentChecks(api: EngineApi): EngineApi {
  const opts = <T>(schema: (v: unknown, p: string) => T, v: T | undefined): T | undefined => (v === undefined ? v : checkArgument(schema, v, 'options'));
  return {
    ...api,
    store: async (data, o) => api.store(data, opts(storeOptions, o)),
    set: async (key, value, o) => api.set(key, value, opts(storeOptions, o)),
    openWriteStream: async (o) => api.openWriteStream(opts(storeOptions, o)),
    pushFile: async (path, o) => api.pushFile(path, opts(fileTransferOptions, o)),
  };
}
