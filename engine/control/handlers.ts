// What the server does for each op: one entry per op (a mapped type, so none can be missing).
// Most forward straight to the engine; stream ops go through the connection's stream table.

import type { EngineApi } from '../api/engine-api';
import type { OpArgs, OpName, OpResult } from './protocol';
import type { ServerStreams } from './server-streams';

export interface HandlerContext {
  readonly api: EngineApi;
  readonly streams: ServerStreams;
  /** Starts forwarding engine events to this client (idempotent). */
  subscribe(): void;
  unsubscribe(): void;
}

export type Handlers = { readonly [O in OpName]: (ctx: HandlerContext, args: OpArgs<O>) => Promise<OpResult<O>> | OpResult<O> };

export const handlers: Handlers = {
  set: ({ api }, [key, value, opts]) => api.set(key, value, opts),
  get: ({ api }, [key]) => api.get(key),
  del: ({ api }, [key]) => api.del(key),
  store: ({ api }, [data, opts]) => api.store(data, opts),
  load: ({ api }, [id]) => api.load(id),
  free: ({ api }, [id]) => api.free(id),
  streamWrite: ({ streams }, [stream, chunk]) => streams.write(stream, chunk),
  streamEnd: ({ streams }, [stream]) => streams.end(stream),
  streamAbort: ({ streams }, [stream]) => streams.abort(stream),
  streamClose: ({ streams }, [stream]) => streams.closeRead(stream),
  status: ({ api }) => api.status(),
  stats: ({ api }) => api.stats(),
  keys: ({ api }, [pattern]) => api.keys(pattern),
  openWriteStream: async ({ api, streams }, [opts]) => {
    const handle = await api.openWriteStream(opts);
    return { stream: streams.addWrite(handle), id: handle.id };
  },
  openReadStream: async ({ api, streams }, [id, window]) => {
    const handle = await api.openReadStream(id);
    return { stream: streams.addRead(handle, window), info: handle.info };
  },
  pushFile: ({ api }, [path, opts]) => api.pushFile(path, opts),
  pullFile: ({ api }, [id, path, opts]) => api.pullFile(id, path, opts),
  cancelTransfer: ({ api }, [transferId]) => api.cancelTransfer(transferId),
  listData: ({ api }) => api.listData(),
  flush: ({ api }) => api.flush(),
  peers: ({ api }) => api.peers(),
  connect: ({ api }, [address, opts]) => api.connect(address, opts),
  disconnect: ({ api }, [peer]) => api.disconnect(peer),
  updatePeer: ({ api }, [peer, opts]) => api.updatePeer(peer, opts),
  trustList: ({ api }) => api.trustList(),
  trustAdd: ({ api }, [publicKey, opts]) => api.trustAdd(publicKey, opts),
  trustRemove: ({ api }, [device, opts]) => api.trustRemove(device, opts),
  trustRename: ({ api }, [device, name]) => api.trustRename(device, name),
  consentList: ({ api }) => api.consentList(),
  consentAnswer: ({ api }, [id, answer]) => api.consentAnswer(id, answer),
  setOffer: ({ api }, [bytes]) => api.setOffer(bytes),
  logs: ({ api }, [opts]) => api.logs(opts),
  shutdown: ({ api }) => api.shutdown(),
  subscribe: (ctx) => ctx.subscribe(),
  unsubscribe: (ctx) => ctx.unsubscribe(),
  cacheStart: ({ api }, [opts]) => api.cacheStart(opts),
  cacheStop: ({ api }) => api.cacheStop(),
  cacheStatus: ({ api }) => api.cacheStatus(),
  cacheEnv: ({ api }) => api.cacheEnv(),
  cacheClear: ({ api }) => api.cacheClear(),
};
