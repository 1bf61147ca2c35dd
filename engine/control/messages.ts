// The one validated entry point per direction of the control socket: a decoded frame becomes a
// typed message (a discriminated union), and typed messages become frames. Problems with one
// request are answered on that request; problems with the framing itself end the connection.

import type { EngineEvent } from '../api/types';
import { ErrorCodes, MemCloudError, fromErrorPayload, toErrorPayload } from '../errors';
import { engineEvent, errorPayload } from '../api/schemas';
import { SchemaError } from '../api/schema';
import { BodyReader } from './body-reader';
import { shareView, type ByteCopier } from './byte-copies';
import type { FrameWriter } from './frame-writer';
import { opCodecs } from './op-codecs';
import { FrameKind, OpCodes, opByCode, type OpArgs, type OpName, type OpResult } from './protocol';

// ---- client -> server ----

export type ControlRequest = {
  [O in OpName]: { readonly kind: 'request'; readonly id: number; readonly op: O; readonly args: OpArgs<O> };
}[OpName];

export type ClientMessage =
  | ControlRequest
  | { readonly kind: 'ack'; readonly stream: number; readonly bytes: number }
  /** A well-framed request that cannot be served (unknown op, bad body): answered with ERROR. */
  | { readonly kind: 'invalid'; readonly id: number; readonly op: number; readonly error: MemCloudError };

/**
 * Server side. Throws MemCloudError(BAD_REQUEST) when the connection must be closed. Bytes in the
 * arguments may be views into the socket chunk (the engine copies what it keeps).
 */
export function decodeClientFrame(kind: number, op: number, id: number, body: Buffer, owned: boolean): ClientMessage {
  switch (kind) {
    case FrameKind.REQUEST: {
      if (id === 0) throw badRequest('request id 0 is reserved');
      const name = opByCode(op);
      if (name === undefined) return { kind: 'invalid', id, op, error: badRequest(`unknown op ${op}`) };
      try {
        return { kind: 'request', id, op: name, args: opCodecs[name].decodeArgs(new BodyReader(body, owned, shareView)) } as ControlRequest;
      } catch (err) {
        if (err instanceof SchemaError) {
          // A value against a rule (say replicas 17) is the caller's argument error; anything else a malformed request.
          const error = err.rule !== undefined ? new MemCloudError(ErrorCodes.BAD_ARGUMENT, err.rule) : badRequest(`${name}: ${err.message}`);
          return { kind: 'invalid', id, op, error };
        }
        throw err;
      }
    }
    case FrameKind.ACK: {
      if (op !== 0 || body.length !== 4) throw badRequest('malformed ACK frame');
      return { kind: 'ack', stream: id, bytes: body.readUInt32BE(0) };
    }
    default:
      throw badRequest(`unknown frame kind ${kind}`);
  }
}

export function writeRequest<O extends OpName>(w: FrameWriter, id: number, op: O, args: OpArgs<O>): void {
  w.frame(FrameKind.REQUEST, OpCodes[op], id, opCodecs[op].encodeArgs, args);
}

export function writeAck(w: FrameWriter, stream: number, bytes: number): void {
  w.frame(FrameKind.ACK, 0, stream, (fw) => fw.u32(bytes));
}

// ---- server -> client ----

export type ControlResult = { [O in OpName]: { readonly op: O; readonly value: OpResult<O> } }[OpName];

export type ServerMessage =
  | { readonly kind: 'result'; readonly id: number; readonly result: ControlResult }
  /** ERROR frames, and RESULT frames whose body does not decode (the request fails with it). */
  | { readonly kind: 'error'; readonly id: number; readonly error: MemCloudError }
  | { readonly kind: 'event'; readonly event: EngineEvent }
  | { readonly kind: 'unknown-event'; readonly reason: string }
  | { readonly kind: 'chunk'; readonly stream: number; readonly data: Uint8Array }
  | { readonly kind: 'end'; readonly stream: number }
  | { readonly kind: 'stream-error'; readonly stream: number; readonly error: MemCloudError };

/** Client side. Throws MemCloudError(FRAME_MALFORMED) when the connection must be closed. */
export function decodeServerFrame(kind: number, op: number, id: number, body: Buffer, owned: boolean, copy: ByteCopier): ServerMessage {
  const r = new BodyReader(body, owned, copy);
  try {
    switch (kind) {
      case FrameKind.RESULT: {
        const name = opByCode(op);
        if (name === undefined) return { kind: 'error', id, error: malformed(`result for unknown op ${op}`) };
        try {
          return { kind: 'result', id, result: { op: name, value: opCodecs[name].decodeResult(r) } as ControlResult };
        } catch (err) {
          if (err instanceof SchemaError) return { kind: 'error', id, error: malformed(`${name} result: ${err.message}`) };
          throw err;
        }
      }
      case FrameKind.ERROR:
        return { kind: 'error', id, error: readError(r) };
      case FrameKind.EVENT:
        try {
          return { kind: 'event', event: engineEvent(JSON.parse(r.restUtf8()), 'event') };
        } catch (err) {
          // A newer node may send event types this client does not know: skip, do not hang up.
          if (err instanceof SchemaError || err instanceof SyntaxError) return { kind: 'unknown-event', reason: err.message };
          throw err;
        }
      case FrameKind.CHUNK:
        return { kind: 'chunk', stream: id, data: r.restBytes() };
      case FrameKind.END:
        r.done();
        return { kind: 'end', stream: id };
      case FrameKind.STREAM_ERROR:
        return { kind: 'stream-error', stream: id, error: readError(r) };
      default:
        throw malformed(`unknown frame kind ${kind}`);
    }
  } catch (err) {
    if (err instanceof SchemaError || err instanceof SyntaxError) throw malformed(err.message);
    throw err;
  }
}

export function writeResult<O extends OpName>(w: FrameWriter, id: number, op: O, result: OpResult<O>): void {
  w.frame(FrameKind.RESULT, OpCodes[op], id, opCodecs[op].encodeResult, result);
}

/** `id` 0 reports a connection-level problem (the connection closes after it). */
export function writeError(w: FrameWriter, id: number, op: number, err: unknown): void {
  w.frame(FrameKind.ERROR, op, id, (fw) => fw.utf8(JSON.stringify(toErrorPayload(err))));
}

export function writeEvent(w: FrameWriter, event: EngineEvent): void {
  w.frame(FrameKind.EVENT, 0, 0, (fw) => fw.utf8(JSON.stringify(event)));
}

export function writeChunk(w: FrameWriter, stream: number, data: Uint8Array): void {
  w.frame(FrameKind.CHUNK, 0, stream, (fw) => fw.bytes(data));
}

export function writeEnd(w: FrameWriter, stream: number): void {
  w.frame(FrameKind.END, 0, stream);
}

export function writeStreamError(w: FrameWriter, stream: number, err: unknown): void {
  w.frame(FrameKind.STREAM_ERROR, 0, stream, (fw) => fw.utf8(JSON.stringify(toErrorPayload(err))));
}

function readError(r: BodyReader): MemCloudError {
  return fromErrorPayload(errorPayload(JSON.parse(r.restUtf8()), 'error'));
}

function badRequest(message: string): MemCloudError {
  return new MemCloudError(ErrorCodes.BAD_REQUEST, message);
}

function malformed(message: string): MemCloudError {
  return new MemCloudError(ErrorCodes.FRAME_MALFORMED, `malformed reply from the node: ${message}`);
}
