// The local control socket protocol (docs/protocol.md section 10): frame layout, limits
// and the op table. The CLI, the SDK and VS Code windows speak it to a running node.
//
//   frame  = length:u32 || kind:u8 || op:u8 || id:u32 || body        (all big-endian)
//   length = 6 + len(body), checked (6 <= length <= 6 + MAX_BODY) before anything is allocated
//
// kind, client -> server: REQUEST (id = request id, op = op code), ACK (id = read stream number,
//   body = u32 bytes consumed).
// kind, server -> client: RESULT and ERROR (id = the request's id, op echoed; id 0 = the whole
//   connection, which is then closed), EVENT (a subscribed engine event), CHUNK, END and
//   STREAM_ERROR (id = read stream number).
// Hot ops (set get del store load free, stream chunks) have binary bodies; every other op carries
// a JSON array of arguments and a JSON result. Errors are JSON {code, message}.

import type { EngineApi } from '../api/engine-api';
import type { StreamInfo } from '../api/types';

export const HEADER_LENGTH = 10;
/** Bytes of the header counted by `length` (kind, op, id). */
export const HEADER_AFTER_LENGTH = 6;
/**
 * The data one frame may carry. Values and blocks are smaller (data/stored-size.ts MAX_VALUE_BYTES:
 * 16,769,016 bytes); the margin lets a slightly larger one get BAD_ARGUMENT for its request
 * instead of a closed connection. Bigger data goes through a stream.
 */
export const MAX_DATA = 16 * 1024 * 1024;
/** A body: the largest data plus room for its key and options. */
export const MAX_BODY = MAX_DATA + 16 * 1024;
/** Strings inside binary bodies (keys, ids, names), in UTF-8 bytes. */
export const MAX_STRING = 4096;
/** Stream data travels in frames of at most this many bytes. */
export const STREAM_FRAME_DATA = 1024 * 1024;
/** Unacknowledged stream bytes allowed in flight per stream, either direction. */
export const MAX_STREAM_WINDOW = 8 * 1024 * 1024;
export const DEFAULT_STREAM_WINDOW = MAX_STREAM_WINDOW;

export const FrameKind = {
  REQUEST: 1,
  ACK: 2,
  RESULT: 16,
  ERROR: 17,
  EVENT: 18,
  CHUNK: 19,
  END: 20,
  STREAM_ERROR: 21,
} as const;
export type FrameKindValue = (typeof FrameKind)[keyof typeof FrameKind];

type ApiMethod = Exclude<keyof EngineApi, 'subscribe'>;
type ApiOp<M extends ApiMethod> = { args: Parameters<EngineApi[M]>; result: Awaited<ReturnType<EngineApi[M]>> };

/** What each op carries on the wire. Stream handles become stream numbers local to a connection. */
export interface OpSpecs {
  set: ApiOp<'set'>;
  get: ApiOp<'get'>;
  del: ApiOp<'del'>;
  store: ApiOp<'store'>;
  load: ApiOp<'load'>;
  free: ApiOp<'free'>;
  streamWrite: { args: [stream: number, chunk: Uint8Array]; result: void };
  streamEnd: { args: [stream: number]; result: StreamInfo };
  streamAbort: { args: [stream: number]; result: void };
  streamClose: { args: [stream: number]; result: void };
  status: ApiOp<'status'>;
  stats: ApiOp<'stats'>;
  keys: ApiOp<'keys'>;
  openWriteStream: { args: Parameters<EngineApi['openWriteStream']>; result: { stream: number; id: string } };
  /** window: how many unacknowledged bytes the server may send ahead of the client's ACKs. */
  openReadStream: { args: [id: string, window: number]; result: { stream: number; info: StreamInfo } };
  pushFile: ApiOp<'pushFile'>;
  pullFile: ApiOp<'pullFile'>;
  cancelTransfer: ApiOp<'cancelTransfer'>;
  listData: ApiOp<'listData'>;
  flush: ApiOp<'flush'>;
  peers: ApiOp<'peers'>;
  connect: ApiOp<'connect'>;
  disconnect: ApiOp<'disconnect'>;
  updatePeer: ApiOp<'updatePeer'>;
  trustList: ApiOp<'trustList'>;
  trustAdd: ApiOp<'trustAdd'>;
  trustRemove: ApiOp<'trustRemove'>;
  trustRename: ApiOp<'trustRename'>;
  consentList: ApiOp<'consentList'>;
  consentAnswer: ApiOp<'consentAnswer'>;
  setOffer: ApiOp<'setOffer'>;
  logs: ApiOp<'logs'>;
  shutdown: ApiOp<'shutdown'>;
  subscribe: { args: []; result: void };
  unsubscribe: { args: []; result: void };
  cacheStart: ApiOp<'cacheStart'>;
  cacheStop: ApiOp<'cacheStop'>;
  cacheStatus: ApiOp<'cacheStatus'>;
  cacheEnv: ApiOp<'cacheEnv'>;
  cacheClear: ApiOp<'cacheClear'>;
}

export type OpName = keyof OpSpecs;
export type OpArgs<O extends OpName> = OpSpecs[O]['args'];
export type OpResult<O extends OpName> = OpSpecs[O]['result'];

// Every EngineApi method has an op: this line stops compiling when one is added without one.
const everyMethodHasAnOp: [Exclude<keyof EngineApi, OpName>] extends [never] ? true : false = true;
void everyMethodHasAnOp;

/** The op table: one code per op. 1-15 are the binary hot ops, 32 and up the JSON ones. */
export const OpCodes = {
  set: 1,
  get: 2,
  del: 3,
  store: 4,
  load: 5,
  free: 6,
  streamWrite: 7,
  streamEnd: 8,
  streamAbort: 9,
  streamClose: 10,
  status: 32,
  stats: 33,
  keys: 34,
  openWriteStream: 35,
  openReadStream: 36,
  pushFile: 37,
  pullFile: 38,
  cancelTransfer: 39,
  listData: 40,
  flush: 41,
  peers: 42,
  connect: 43,
  disconnect: 44,
  updatePeer: 45,
  trustList: 46,
  trustAdd: 47,
  trustRemove: 48,
  trustRename: 49,
  consentList: 50,
  consentAnswer: 51,
  setOffer: 52,
  logs: 53,
  shutdown: 54,
  subscribe: 55,
  unsubscribe: 56,
  cacheStart: 57,
  cacheStop: 58,
  cacheStatus: 59,
  cacheEnv: 60,
  cacheClear: 61,
} as const satisfies { readonly [O in OpName]: number };

const byCode: (OpName | undefined)[] = new Array<OpName | undefined>(256).fill(undefined);
for (const [name, code] of Object.entries(OpCodes) as [OpName, number][]) {
  if (byCode[code] !== undefined) throw new Error(`duplicate op code ${code}`);
  byCode[code] = name;
}

/** The op with this code, or undefined for an unknown code. */
export function opByCode(code: number): OpName | undefined {
  return byCode[code];
}
