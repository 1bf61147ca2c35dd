// The RAM protocol between peers, carried in APP channel messages (docs/protocol.md section 7).
// One validated decoder for everything a peer sends; binary fields, no JSON on the data path.

import { ErrorCodes, MemCloudError, type ErrorCode } from '../errors';
import { MAX_BLOCK_BYTES } from '../store/block-cost';
import { MAX_REVOCATION_LIST_BYTES } from '../team/revocation-list';
import { ByteReader, GrowableWriter, type BytesErrorFactory } from '../wire/bytes';

export const BLOCK_ID_BYTES = 16;

export const Op = {
  STORE: 0x01,
  LOAD: 0x02,
  FREE: 0x03,
  STAT: 0x04,
  LIST: 0x05,
  LEAVING: 0x10,
  EVICTED: 0x11,
  QUOTA: 0x12,
  TEAM_REVOCATIONS: 0x13,
} as const;
export type OpValue = (typeof Op)[keyof typeof Op];
export const REPLY = 0x80;
const NOTICE_OPS_FIRST = 0x10;
const NOTICE_OPS_LAST = 0x1f;

/** Wire status codes of replies; anything unknown is read as INTERNAL. */
const STATUS_CODES: readonly (ErrorCode | 'OK')[] = [
  'OK',
  ErrorCodes.NOT_FOUND,
  ErrorCodes.QUOTA_EXCEEDED,
  ErrorCodes.MEMORY_FULL,
  ErrorCodes.BAD_REQUEST,
  ErrorCodes.INTERNAL,
  ErrorCodes.FORBIDDEN,
  ErrorCodes.BUSY,
];

export type DurabilityByte = 0 | 1; // 0 pinned, 1 cache

export type PeerRequest =
  | { readonly op: typeof Op.STORE; readonly id: number; readonly block: string; readonly durability: DurabilityByte; readonly data: Uint8Array }
  | { readonly op: typeof Op.LOAD; readonly id: number; readonly block: string }
  | { readonly op: typeof Op.FREE; readonly id: number; readonly blocks: readonly string[] }
  | { readonly op: typeof Op.STAT; readonly id: number }
  | { readonly op: typeof Op.LIST; readonly id: number; readonly cursor: number; readonly limit: number };

export type PeerNotice =
  | { readonly op: typeof Op.LEAVING }
  | { readonly op: typeof Op.EVICTED; readonly blocks: readonly string[] }
  | { readonly op: typeof Op.QUOTA; readonly allowedBytes: number }
  /** Section 12.4: a team's signed revocation list, checked by engine/team. */
  | { readonly op: typeof Op.TEAM_REVOCATIONS; readonly list: Uint8Array };

export interface StatReply {
  readonly allowedBytes: number;
  readonly usedBytes: number;
  /** What this peer can still take from us right now (quota, its offer and its memory). */
  readonly availableBytes: number;
}

export type PeerReply =
  | { readonly op: number; readonly id: number; readonly ok: false; readonly code: ErrorCode; readonly message: string }
  | { readonly op: typeof Op.STORE; readonly id: number; readonly ok: true }
  | { readonly op: typeof Op.LOAD; readonly id: number; readonly ok: true; readonly data: Uint8Array }
  | { readonly op: typeof Op.FREE; readonly id: number; readonly ok: true; readonly freed: number }
  | { readonly op: typeof Op.STAT; readonly id: number; readonly ok: true; readonly stat: StatReply }
  | { readonly op: typeof Op.LIST; readonly id: number; readonly ok: true; readonly next: number; readonly blocks: readonly string[] };

export type PeerMessage =
  | { readonly kind: 'request'; readonly request: PeerRequest }
  | { readonly kind: 'notice'; readonly notice: PeerNotice }
  | { readonly kind: 'reply'; readonly reply: PeerReply };

const MAX_IDS = 65535;
/** Section 7.1: an error reply's text is UTF-8 of at most this many bytes. */
export const MAX_ERROR_TEXT_BYTES = 512;
/** C0 controls, DEL and C1 controls: never kept in text that came from a peer (section 7.1). */
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u001f\u007f-\u009f]/g;
/** Most ids in one LIST reply (64 KiB of ids), whatever the request's limit. */
export const MAX_LIST_PAGE = 4096;
/** The most data one block holds (section 7.1); a STORE with more is answered BAD_REQUEST. */
export { MAX_BLOCK_BYTES };
/** The most blocks a holder keeps for one owner, whatever its quota (section 7.1). */
export const MAX_BLOCKS_PER_OWNER = 1 << 20;
/** Ids per EVICTED notice (and per FREE request) that this node sends. */
export const MAX_NOTICE_IDS = 4096;

function malformed(why: string): MemCloudError {
  return new MemCloudError(ErrorCodes.FRAME_MALFORMED, `peer message: ${why}`);
}

/** Every field a peer sent is read through the one bounds-checked reader; its refusals are FRAME_MALFORMED. */
const readFail: BytesErrorFactory = (_code, message) => malformed(message);
/** Our own bad arguments (a block id that is not 32 hex digits, a size that is no u64): BAD_ARGUMENT. */
const writeFail: BytesErrorFactory = (_code, message) => new MemCloudError(ErrorCodes.BAD_ARGUMENT, message);

// ---- encoding -------------------------------------------------------------------------------

/** A writer holding op || id, with room for `extra` more bytes. */
function head(op: number, id: number, extra: number): GrowableWriter {
  const w = new GrowableWriter(5 + extra, writeFail);
  w.u8(op);
  w.u32(id);
  return w;
}

function idList(op: number, id: number, blocks: readonly string[]): Buffer {
  if (blocks.length > MAX_IDS) throw new MemCloudError(ErrorCodes.BAD_ARGUMENT, `at most ${MAX_IDS} block ids per message`);
  const w = head(op, id, 2 + blocks.length * BLOCK_ID_BYTES);
  w.u16(blocks.length);
  for (const block of blocks) w.hex(block, BLOCK_ID_BYTES);
  return w.take();
}

/** STORE is returned as [header, data] so the data is never copied on the way out. */
export function encodeStore(id: number, block: string, durability: DurabilityByte, data: Uint8Array): [Buffer, Uint8Array] {
  const w = head(Op.STORE, id, BLOCK_ID_BYTES + 1);
  w.hex(block, BLOCK_ID_BYTES);
  w.u8(durability);
  return [w.take(), data];
}

export function encodeLoad(id: number, block: string): Buffer {
  const w = head(Op.LOAD, id, BLOCK_ID_BYTES);
  w.hex(block, BLOCK_ID_BYTES);
  return w.take();
}

export const encodeFree = (id: number, blocks: readonly string[]): Buffer => idList(Op.FREE, id, blocks);
export const encodeStat = (id: number): Buffer => head(Op.STAT, id, 0).take();

/** LIST: one page of ids from `cursor` (0 to start), at most `limit` (1 to 65535). */
export function encodeList(id: number, cursor: number, limit: number): Buffer {
  const w = head(Op.LIST, id, 6);
  w.u32(cursor);
  w.u16(limit);
  return w.take();
}
export const encodeLeaving = (): Buffer => head(Op.LEAVING, 0, 0).take();
export const encodeEvicted = (blocks: readonly string[]): Buffer => idList(Op.EVICTED, 0, blocks);

export function encodeQuota(allowedBytes: number): Buffer {
  const w = head(Op.QUOTA, 0, 8);
  w.u64(allowedBytes);
  return w.take();
}

/** Sent only to peers whose handshake payload was format 2 (section 12.4). */
export function encodeTeamRevocations(list: Uint8Array): Buffer {
  if (list.length > MAX_REVOCATION_LIST_BYTES) throw new RangeError('revocation list too large');
  const w = head(Op.TEAM_REVOCATIONS, 0, list.length);
  w.bytes(list);
  return w.take();
}

export function encodeError(op: number, id: number, err: MemCloudError): Buffer {
  const known = STATUS_CODES.indexOf(err.code);
  const message = errorText(err.message);
  const w = head(REPLY | op, id, 1 + message.length);
  w.u8(known > 0 ? known : STATUS_CODES.indexOf(ErrorCodes.INTERNAL));
  w.bytes(message);
  return w.take();
}

/** A writer holding a reply's op || id || status 0, with room for `extra` more bytes. */
function ok(op: number, id: number, extra: number): GrowableWriter {
  const w = head(REPLY | op, id, 1 + extra);
  w.u8(0);
  return w;
}

export function encodeOk(op: number, id: number): Buffer {
  return ok(op, id, 0).take();
}

export function encodeLoadReply(id: number, data: Uint8Array): [Buffer, Uint8Array] {
  return [encodeOk(Op.LOAD, id), data];
}

export function encodeFreeReply(id: number, freed: number): Buffer {
  const w = ok(Op.FREE, id, 4);
  w.u32(freed);
  return w.take();
}

export function encodeStatReply(id: number, s: StatReply): Buffer {
  const w = ok(Op.STAT, id, 24);
  w.u64(s.allowedBytes);
  w.u64(s.usedBytes);
  w.u64(s.availableBytes);
  return w.take();
}

/** A LIST page: `next` is where the following page starts, 0 when the listing is complete. */
export function encodeListReply(id: number, next: number, blocks: readonly string[]): Buffer {
  if (blocks.length > MAX_LIST_PAGE) throw new MemCloudError(ErrorCodes.BAD_ARGUMENT, `at most ${MAX_LIST_PAGE} block ids per LIST reply`);
  const w = ok(Op.LIST, id, 6 + blocks.length * BLOCK_ID_BYTES);
  w.u32(next);
  w.u16(blocks.length);
  for (const block of blocks) w.hex(block, BLOCK_ID_BYTES);
  return w.take();
}

// ---- decoding -------------------------------------------------------------------------------

/** u16 count || count ids, the last field: its length is checked before the list is allocated. */
function readIds(r: ByteReader, max = MAX_IDS): string[] {
  const count = r.u16();
  if (count > max) throw malformed(`${count} ids (at most ${max})`);
  if (r.remaining !== count * BLOCK_ID_BYTES) throw malformed('id list length');
  const out: string[] = new Array(count);
  for (let i = 0; i < count; i++) out[i] = r.hex(BLOCK_ID_BYTES);
  return out;
}

/** Our own error text as the wire allows it: controls replaced, at most 512 bytes, cut on a character boundary. */
function errorText(message: string): Buffer {
  const bytes = Buffer.from(message.replace(CONTROLS, ' '), 'utf8');
  if (bytes.length <= MAX_ERROR_TEXT_BYTES) return bytes;
  let end = MAX_ERROR_TEXT_BYTES;
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--; // never split a UTF-8 sequence
  return bytes.subarray(0, end);
}

/** A peer's error text (the rest of the reply): at most 512 bytes of valid UTF-8, else malformed; controls become spaces. */
function peerErrorText(r: ByteReader): string {
  if (r.remaining > MAX_ERROR_TEXT_BYTES) throw malformed(`error text of ${r.remaining} bytes exceeds ${MAX_ERROR_TEXT_BYTES}`);
  return r.utf8(r.remaining).replace(CONTROLS, ' ');
}

/** Decodes one APP message body. Data fields are views into `b` (copy to keep small ones). */
export function decodePeerMessage(b: Buffer): PeerMessage {
  if (b.length < 5) throw malformed('shorter than its header');
  const r = new ByteReader(b, readFail, 'message');
  const op = r.u8();
  const id = r.u32();
  // Section 7: requests and replies carry a non-zero id, notices exactly 0.
  const notice = op >= NOTICE_OPS_FIRST && op <= NOTICE_OPS_LAST;
  if (notice ? id !== 0 : id === 0) throw malformed(notice ? `notice 0x${op.toString(16)} with id ${id}` : `op 0x${op.toString(16)} with id 0`);
  if (op & REPLY) return { kind: 'reply', reply: decodeReply(op & ~REPLY, id, r) };
  const message = decodeRequestOrNotice(op, id, r);
  r.end();
  return message;
}

function decodeRequestOrNotice(op: number, id: number, r: ByteReader): PeerMessage {
  switch (op) {
    case Op.STORE: {
      const block = r.hex(BLOCK_ID_BYTES);
      const durability = r.u8();
      if (durability > 1) throw malformed('bad durability');
      return { kind: 'request', request: { op, id, block, durability: durability as DurabilityByte, data: r.rest() } };
    }
    case Op.LOAD:
      return { kind: 'request', request: { op, id, block: r.hex(BLOCK_ID_BYTES) } };
    case Op.FREE:
      return { kind: 'request', request: { op, id, blocks: readIds(r) } };
    case Op.STAT:
      return { kind: 'request', request: { op, id } };
    case Op.LIST:
      return { kind: 'request', request: { op, id, cursor: r.u32(), limit: r.u16() } };
    case Op.LEAVING:
      return { kind: 'notice', notice: { op } };
    case Op.EVICTED:
      return { kind: 'notice', notice: { op, blocks: readIds(r) } };
    case Op.QUOTA:
      return { kind: 'notice', notice: { op, allowedBytes: r.u64() } };
    case Op.TEAM_REVOCATIONS:
      if (r.remaining > MAX_REVOCATION_LIST_BYTES) throw malformed(`TEAM_REVOCATIONS of ${r.remaining} bytes exceeds ${MAX_REVOCATION_LIST_BYTES}`);
      return { kind: 'notice', notice: { op, list: r.copy(r.remaining) } };
    default:
      throw malformed(`unknown op 0x${op.toString(16)}`);
  }
}

function decodeReply(op: number, id: number, r: ByteReader): PeerReply {
  if (r.atEnd) throw malformed('reply without status');
  const status = r.u8();
  if (status !== 0) {
    const code = (STATUS_CODES[status] ?? ErrorCodes.INTERNAL) as ErrorCode;
    return { op, id, ok: false, code, message: peerErrorText(r) };
  }
  let reply: PeerReply;
  switch (op) {
    case Op.STORE:
      reply = { op, id, ok: true };
      break;
    case Op.LOAD:
      reply = { op, id, ok: true, data: r.rest() };
      break;
    case Op.FREE:
      reply = { op, id, ok: true, freed: r.u32() };
      break;
    case Op.STAT:
      reply = { op, id, ok: true, stat: { allowedBytes: r.u64(), usedBytes: r.u64(), availableBytes: r.u64() } };
      break;
    case Op.LIST:
      reply = { op, id, ok: true, next: r.u32(), blocks: readIds(r, MAX_LIST_PAGE) };
      break;
    default:
      throw malformed(`reply to unknown op 0x${op.toString(16)}`);
  }
  r.end();
  return reply;
}
