// The RAM protocol between peers, carried in APP channel messages (docs/protocol.md section 7).
// One validated decoder for everything a peer sends; binary fields, no JSON on the data path.

import { ErrorCodes, MemCloudError, type ErrorCode } from '../errors';
import { MAX_REVOCATION_LIST_BYTES } from '../team/revocation-list';

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
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
/** Most ids in one LIST reply (64 KiB of ids), whatever the request's limit. */
export const MAX_LIST_PAGE = 4096;
/** The most data one block holds (section 7.1); a STORE with more is answered BAD_REQUEST. */
export const MAX_BLOCK_BYTES = 16 * 1024 * 1024;
/** The most blocks a holder keeps for one owner, whatever its quota (section 7.1). */
export const MAX_BLOCKS_PER_OWNER = 1 << 20;
/** Ids per EVICTED notice (and per FREE request) that this node sends. */
export const MAX_NOTICE_IDS = 4096;

function malformed(why: string): MemCloudError {
  return new MemCloudError(ErrorCodes.FRAME_MALFORMED, `peer message: ${why}`);
}

// ---- encoding -------------------------------------------------------------------------------

function head(op: number, id: number, extra: number): Buffer {
  const b = Buffer.allocUnsafe(5 + extra);
  b[0] = op;
  b.writeUInt32BE(id, 1);
  return b;
}

function blockIdBytes(block: string, into: Buffer, offset: number): void {
  if (into.write(block, offset, BLOCK_ID_BYTES, 'hex') !== BLOCK_ID_BYTES || block.length !== BLOCK_ID_BYTES * 2) {
    throw new MemCloudError(ErrorCodes.BAD_ARGUMENT, `block id must be ${BLOCK_ID_BYTES * 2} hex characters`);
  }
}

function idList(op: number, id: number, blocks: readonly string[]): Buffer {
  if (blocks.length > MAX_IDS) throw new MemCloudError(ErrorCodes.BAD_ARGUMENT, `at most ${MAX_IDS} block ids per message`);
  const b = head(op, id, 2 + blocks.length * BLOCK_ID_BYTES);
  b.writeUInt16BE(blocks.length, 5);
  blocks.forEach((x, i) => blockIdBytes(x, b, 7 + i * BLOCK_ID_BYTES));
  return b;
}

/** STORE is returned as [header, data] so the data is never copied on the way out. */
export function encodeStore(id: number, block: string, durability: DurabilityByte, data: Uint8Array): [Buffer, Uint8Array] {
  const b = head(Op.STORE, id, BLOCK_ID_BYTES + 1);
  blockIdBytes(block, b, 5);
  b[5 + BLOCK_ID_BYTES] = durability;
  return [b, data];
}

export function encodeLoad(id: number, block: string): Buffer {
  const b = head(Op.LOAD, id, BLOCK_ID_BYTES);
  blockIdBytes(block, b, 5);
  return b;
}

export const encodeFree = (id: number, blocks: readonly string[]): Buffer => idList(Op.FREE, id, blocks);
export const encodeStat = (id: number): Buffer => head(Op.STAT, id, 0);

/** LIST: one page of ids from `cursor` (0 to start), at most `limit` (1 to 65535). */
export function encodeList(id: number, cursor: number, limit: number): Buffer {
  const b = head(Op.LIST, id, 6);
  b.writeUInt32BE(cursor, 5);
  b.writeUInt16BE(limit, 9);
  return b;
}
export const encodeLeaving = (): Buffer => head(Op.LEAVING, 0, 0);
export const encodeEvicted = (blocks: readonly string[]): Buffer => idList(Op.EVICTED, 0, blocks);

export function encodeQuota(allowedBytes: number): Buffer {
  const b = head(Op.QUOTA, 0, 8);
  b.writeBigUInt64BE(BigInt(allowedBytes), 5);
  return b;
}

/** Sent only to peers whose handshake payload was format 2 (section 12.4). */
export function encodeTeamRevocations(list: Uint8Array): Buffer {
  if (list.length > MAX_REVOCATION_LIST_BYTES) throw new RangeError('revocation list too large');
  const b = head(Op.TEAM_REVOCATIONS, 0, list.length);
  b.set(list, 5);
  return b;
}

export function encodeError(op: number, id: number, err: MemCloudError): Buffer {
  const known = STATUS_CODES.indexOf(err.code);
  const message = errorText(err.message);
  const b = head(REPLY | op, id, 1 + message.length);
  b[5] = known > 0 ? known : STATUS_CODES.indexOf(ErrorCodes.INTERNAL);
  message.copy(b, 6);
  return b;
}

export function encodeOk(op: number, id: number, extra = 0): Buffer {
  const b = head(REPLY | op, id, 1 + extra);
  b[5] = 0;
  return b;
}

export function encodeLoadReply(id: number, data: Uint8Array): [Buffer, Uint8Array] {
  return [encodeOk(Op.LOAD, id), data];
}

export function encodeFreeReply(id: number, freed: number): Buffer {
  const b = encodeOk(Op.FREE, id, 4);
  b.writeUInt32BE(freed, 6);
  return b;
}

export function encodeStatReply(id: number, s: StatReply): Buffer {
  const b = encodeOk(Op.STAT, id, 24);
  b.writeBigUInt64BE(BigInt(s.allowedBytes), 6);
  b.writeBigUInt64BE(BigInt(s.usedBytes), 14);
  b.writeBigUInt64BE(BigInt(s.availableBytes), 22);
  return b;
}

/** A LIST page: `next` is where the following page starts, 0 when the listing is complete. */
export function encodeListReply(id: number, next: number, blocks: readonly string[]): Buffer {
  if (blocks.length > MAX_LIST_PAGE) throw new MemCloudError(ErrorCodes.BAD_ARGUMENT, `at most ${MAX_LIST_PAGE} block ids per LIST reply`);
  const b = encodeOk(Op.LIST, id, 6 + blocks.length * BLOCK_ID_BYTES);
  b.writeUInt32BE(next, 6);
  b.writeUInt16BE(blocks.length, 10);
  blocks.forEach((x, i) => blockIdBytes(x, b, 12 + i * BLOCK_ID_BYTES));
  return b;
}

// ---- decoding -------------------------------------------------------------------------------

function readIds(b: Buffer, offset: number, count: number): string[] {
  if (b.length !== offset + count * BLOCK_ID_BYTES) throw malformed('id list length');
  const out: string[] = new Array(count);
  for (let i = 0; i < count; i++) out[i] = b.toString('hex', offset + i * BLOCK_ID_BYTES, offset + (i + 1) * BLOCK_ID_BYTES);
  return out;
}

function u64(b: Buffer, offset: number): number {
  const v = b.readBigUInt64BE(offset);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw malformed('size out of range');
  return Number(v);
}

function exact(b: Buffer, length: number, what: string): void {
  if (b.length !== length) throw malformed(`${what} has ${b.length} bytes, expected ${length}`);
}

/** Our own error text as the wire allows it: controls replaced, at most 512 bytes, cut on a character boundary. */
function errorText(message: string): Buffer {
  const bytes = Buffer.from(message.replace(CONTROLS, ' '), 'utf8');
  if (bytes.length <= MAX_ERROR_TEXT_BYTES) return bytes;
  let end = MAX_ERROR_TEXT_BYTES;
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--; // never split a UTF-8 sequence
  return bytes.subarray(0, end);
}

/** A peer's error text: at most 512 bytes of valid UTF-8, else malformed; controls become spaces. */
function peerErrorText(b: Buffer, offset: number): string {
  if (b.length - offset > MAX_ERROR_TEXT_BYTES) throw malformed(`error text of ${b.length - offset} bytes exceeds ${MAX_ERROR_TEXT_BYTES}`);
  let text: string;
  try {
    text = strictUtf8.decode(b.subarray(offset));
  } catch {
    throw malformed('error text is not valid UTF-8');
  }
  return text.replace(CONTROLS, ' ');
}

/** Decodes one APP message body. Data fields are views into `b` (copy to keep small ones). */
export function decodePeerMessage(b: Buffer): PeerMessage {
  if (b.length < 5) throw malformed('shorter than its header');
  const op = b[0]!;
  const id = b.readUInt32BE(1);
  // Section 7: requests and replies carry a non-zero id, notices exactly 0.
  const notice = op >= NOTICE_OPS_FIRST && op <= NOTICE_OPS_LAST;
  if (notice ? id !== 0 : id === 0) throw malformed(notice ? `notice 0x${op.toString(16)} with id ${id}` : `op 0x${op.toString(16)} with id 0`);
  if (op & REPLY) return { kind: 'reply', reply: decodeReply(op & ~REPLY, id, b) };
  switch (op) {
    case Op.STORE: {
      if (b.length < 5 + BLOCK_ID_BYTES + 1) throw malformed('STORE too short');
      const durability = b[5 + BLOCK_ID_BYTES]!;
      if (durability > 1) throw malformed('bad durability');
      return {
        kind: 'request',
        request: { op, id, block: b.toString('hex', 5, 5 + BLOCK_ID_BYTES), durability: durability as DurabilityByte, data: b.subarray(6 + BLOCK_ID_BYTES) },
      };
    }
    case Op.LOAD:
      exact(b, 5 + BLOCK_ID_BYTES, 'LOAD');
      return { kind: 'request', request: { op, id, block: b.toString('hex', 5) } };
    case Op.FREE:
      if (b.length < 7) throw malformed('FREE too short');
      return { kind: 'request', request: { op, id, blocks: readIds(b, 7, b.readUInt16BE(5)) } };
    case Op.STAT:
      exact(b, 5, 'STAT');
      return { kind: 'request', request: { op, id } };
    case Op.LIST:
      exact(b, 11, 'LIST');
      return { kind: 'request', request: { op, id, cursor: b.readUInt32BE(5), limit: b.readUInt16BE(9) } };
    case Op.LEAVING:
      exact(b, 5, 'LEAVING');
      return { kind: 'notice', notice: { op } };
    case Op.EVICTED:
      if (b.length < 7) throw malformed('EVICTED too short');
      return { kind: 'notice', notice: { op, blocks: readIds(b, 7, b.readUInt16BE(5)) } };
    case Op.QUOTA:
      exact(b, 13, 'QUOTA');
      return { kind: 'notice', notice: { op, allowedBytes: u64(b, 5) } };
    case Op.TEAM_REVOCATIONS:
      if (b.length - 5 > MAX_REVOCATION_LIST_BYTES) throw malformed(`TEAM_REVOCATIONS of ${b.length - 5} bytes exceeds ${MAX_REVOCATION_LIST_BYTES}`);
      return { kind: 'notice', notice: { op, list: Uint8Array.prototype.slice.call(b, 5) } };
    default:
      throw malformed(`unknown op 0x${op.toString(16)}`);
  }
}

function decodeReply(op: number, id: number, b: Buffer): PeerReply {
  if (b.length < 6) throw malformed('reply without status');
  const status = b[5]!;
  if (status !== 0) {
    const code = (STATUS_CODES[status] ?? ErrorCodes.INTERNAL) as ErrorCode;
    return { op, id, ok: false, code, message: peerErrorText(b, 6) };
  }
  switch (op) {
    case Op.STORE:
      exact(b, 6, 'STORE reply');
      return { op, id, ok: true };
    case Op.LOAD:
      return { op, id, ok: true, data: b.subarray(6) };
    case Op.FREE:
      exact(b, 10, 'FREE reply');
      return { op, id, ok: true, freed: b.readUInt32BE(6) };
    case Op.STAT:
      exact(b, 30, 'STAT reply');
      return { op, id, ok: true, stat: { allowedBytes: u64(b, 6), usedBytes: u64(b, 14), availableBytes: u64(b, 22) } };
    case Op.LIST: {
      if (b.length < 12) throw malformed('LIST reply too short');
      const count = b.readUInt16BE(10);
      if (count > MAX_LIST_PAGE) throw malformed(`LIST reply with ${count} ids (at most ${MAX_LIST_PAGE})`);
      return { op, id, ok: true, next: b.readUInt32BE(6), blocks: readIds(b, 12, count) };
    }
    default:
      throw malformed(`reply to unknown op 0x${op.toString(16)}`);
  }
}
