// One codec per op: how its arguments and its result are laid out in a frame body. The table is a
// mapped type over every op, so a missing op does not compile. Decoders throw FormatError.

import { ErrorCodes, MemCloudError } from '../errors';
import * as S from '../api/schemas';
import { readBlockRef, readStoreOptions, checkData, checkString, writeBlockRef, writeStoreOptions } from './binary-codec';
import { FormatError, type BodyReader } from './body-reader';
import type { FrameWriter } from './frame-writer';
import type { OpArgs, OpName, OpResult } from './protocol';
import { args, arr, num, str, u32, type Schema } from '../api/schema';

/** Its functions are called unbound (passed straight to FrameWriter.frame): no `this` inside. */
export interface OpCodec<O extends OpName> {
  encodeArgs(w: FrameWriter, args: OpArgs<O>): void;
  decodeArgs(r: BodyReader): OpArgs<O>;
  encodeResult(w: FrameWriter, result: OpResult<O>): void;
  decodeResult(r: BodyReader): OpResult<O>;
}

export type OpCodecs = { readonly [O in OpName]: OpCodec<O> };

const none = (): void => {};
const noResult = (r: BodyReader): void => r.done();

function key16(r: BodyReader): string {
  const s = r.str16();
  r.done();
  return s;
}

function stream32(r: BodyReader): [number] {
  const n = r.u32();
  r.done();
  return [n];
}

/** An op whose single argument is a string (key or id) and whose result is binary. */
function keyOp<O extends 'get' | 'del' | 'load' | 'free'>(
  what: string,
  encodeResult: OpCodec<O>['encodeResult'],
  decodeResult: OpCodec<O>['decodeResult'],
): OpCodec<O> {
  return {
    encodeArgs: (w, a) => w.str16(checkString(a[0], what)),
    decodeArgs: (r) => [key16(r)] as OpArgs<O>,
    encodeResult,
    decodeResult,
  };
}

function streamOp<O extends 'streamAbort' | 'streamClose'>(): OpCodec<O> {
  return {
    encodeArgs: (w, a) => w.u32(a[0]),
    decodeArgs: (r) => stream32(r) as OpArgs<O>,
    encodeResult: none,
    decodeResult: noResult as OpCodec<O>['decodeResult'],
  };
}

function parseJson(r: BodyReader): unknown {
  try {
    return JSON.parse(r.restUtf8());
  } catch (err) {
    if (err instanceof SyntaxError) throw new FormatError(`invalid JSON: ${err.message}`);
    throw err;
  }
}

/** JSON body: the argument array (trailing undefined dropped; empty body = no arguments). */
function json<O extends OpName>(argsSchema: Schema<OpArgs<O>>, resultSchema: Schema<OpResult<O>> | 'void'): OpCodec<O> {
  return {
    encodeArgs(w, a) {
      let n = a.length;
      while (n > 0 && a[n - 1] === undefined) n--;
      if (n > 0) w.utf8(JSON.stringify(n === a.length ? a : a.slice(0, n)));
    },
    decodeArgs: (r) => argsSchema(r.remaining === 0 ? [] : parseJson(r), 'args'),
    encodeResult(w, result) {
      if (resultSchema === 'void') return;
      const text = JSON.stringify(result) as string | undefined;
      if (text === undefined) throw new MemCloudError(ErrorCodes.INTERNAL, 'the engine returned no result');
      w.utf8(text);
    },
    decodeResult: (r) => (resultSchema === 'void' ? (r.done() as OpResult<O>) : resultSchema(parseJson(r), 'result')),
  };
}

export const opCodecs: OpCodecs = {
  set: {
    encodeArgs(w, [key, value, opts]) {
      checkData(value, 'value');
      w.str16(checkString(key, 'key'));
      writeStoreOptions(w, opts);
      w.bytes(value);
    },
    decodeArgs(r) {
      const key = r.str16();
      const opts = readStoreOptions(r);
      const value = r.restBytes();
      // No options on the wire -> no third argument, so the engine sees exactly what the caller passed.
      return opts === undefined ? [key, value] : [key, value, opts];
    },
    encodeResult: none,
    decodeResult: noResult,
  },
  get: keyOp<'get'>('key', (w, v) => w.bytes(v), (r) => r.restBytes()),
  del: keyOp<'del'>(
    'key',
    (w, v) => w.u8(v ? 1 : 0),
    (r) => {
      const v = r.u8();
      r.done();
      if (v > 1) throw new FormatError(`boolean byte ${v}`);
      return v === 1;
    },
  ),
  store: {
    encodeArgs(w, [data, opts]) {
      checkData(data, 'data');
      writeStoreOptions(w, opts);
      w.bytes(data);
    },
    decodeArgs(r) {
      const [opts, data] = [readStoreOptions(r), r.restBytes()];
      return opts === undefined ? [data] : [data, opts];
    },
    encodeResult: writeBlockRef,
    decodeResult(r) {
      const ref = readBlockRef(r);
      r.done();
      return ref;
    },
  },
  load: keyOp<'load'>('id', (w, v) => w.bytes(v), (r) => r.restBytes()),
  free: keyOp<'free'>('id', none, noResult),
  streamWrite: {
    encodeArgs(w, [stream, chunk]) {
      w.u32(stream);
      w.bytes(chunk);
    },
    decodeArgs: (r) => [r.u32(), r.restBytes()],
    encodeResult: none,
    decodeResult: noResult,
  },
  streamEnd: {
    encodeArgs: (w, a) => w.u32(a[0]),
    decodeArgs: stream32,
    encodeResult: (w, info) => w.utf8(JSON.stringify(info)),
    decodeResult: (r) => S.streamInfo(parseJson(r), 'result'),
  },
  streamAbort: streamOp<'streamAbort'>(),
  streamClose: streamOp<'streamClose'>(),
  status: json<'status'>(args([]), S.nodeStatus),
  stats: json<'stats'>(args([]), S.stats),
  keys: json<'keys'>(args([], [str]), arr(str)),
  openWriteStream: json<'openWriteStream'>(args([], [S.storeOptions]), S.openedWriteStream),
  openReadStream: json<'openReadStream'>(args([str, u32]), S.openedReadStream),
  pushFile: json<'pushFile'>(args([str], [S.fileTransferOptions]), S.pushInfo),
  pullFile: json<'pullFile'>(args([str, str], [S.transferIdOptions]), S.streamInfo),
  cancelTransfer: json<'cancelTransfer'>(args([str]), 'void'),
  listData: json<'listData'>(args([]), arr(S.dataItem)),
  flush: json<'flush'>(args([]), S.flushResult),
  peers: json<'peers'>(args([]), arr(S.peerInfo)),
  connect: json<'connect'>(args([str], [S.connectOptions]), S.peerInfo),
  disconnect: json<'disconnect'>(args([str]), 'void'),
  updatePeer: json<'updatePeer'>(args([str, S.updatePeerOptions]), S.peerInfo),
  trustList: json<'trustList'>(args([]), arr(S.trustedDeviceInfo)),
  trustAdd: json<'trustAdd'>(args([str], [S.trustAddOptions]), S.trustedDeviceInfo),
  trustRemove: json<'trustRemove'>(args([str], [S.trustRemoveOptions]), S.trustedDeviceInfo),
  trustRename: json<'trustRename'>(args([str, str]), S.trustedDeviceInfo),
  consentList: json<'consentList'>(args([]), arr(S.consentRequestInfo)),
  consentAnswer: json<'consentAnswer'>(args([str, S.consentAnswer]), 'void'),
  setOffer: json<'setOffer'>(args([num]), 'void'),
  logs: json<'logs'>(args([], [S.logsOptions]), arr(S.logEntry)),
  shutdown: json<'shutdown'>(args([]), 'void'),
  subscribe: json<'subscribe'>(args([]), 'void'),
  unsubscribe: json<'unsubscribe'>(args([]), 'void'),
  cacheStart: json<'cacheStart'>(args([], [S.cacheStartOptions]), S.buildCacheStatus),
  cacheStop: json<'cacheStop'>(args([]), S.buildCacheStatus),
  cacheStatus: json<'cacheStatus'>(args([]), S.buildCacheStatus),
  cacheEnv: json<'cacheEnv'>(args([]), S.buildCacheEnv),
  cacheClear: json<'cacheClear'>(args([]), S.cacheClearResult),
};
