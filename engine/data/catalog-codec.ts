// The catalog's bytes on disk (docs/architecture.md, "The catalog on disk"): a file is a 32-byte
// header, then frames; a frame is `length:u32 || crc32:u32 || records`, written with one write().
// A record is one CatalogChange; holders are interned per file by HOLDER records. Integers are
// big-endian. Decoding checks every length before it reads.

import { crc32 } from 'node:zlib';
import { SELF } from '../store/self';
import type { HolderId } from '../cluster/replica-io';
import { decodeBase64urlExact } from '../identity/base64url';
import { ByteReader, GrowableWriter } from '../wire/bytes';
import type { CatalogChange } from './catalog-change';
import type { BlockParent, BlockRecord, StreamRecord } from './owner-index';

export const MAGIC = Buffer.from('MCCATLG1', 'latin1');
export const FILE_HEADER_BYTES = 32;
export const FRAME_HEADER_BYTES = 8;
/** No frame is larger (a stream of 1 TiB lists 2^20 chunks in 16 MiB). */
export const MAX_FRAME_BYTES = 64 * 1024 * 1024;
export const EPOCH_BYTES = 16;

export const FileKind = { SNAPSHOT: 1, JOURNAL: 2 } as const;
export type FileKindValue = (typeof FileKind)[keyof typeof FileKind];

const R = { HOLDER: 1, BLOCK: 2, HOLDERS: 3, UNBLOCK: 4, KEY: 5, UNKEY: 6, STREAM: 7, UNSTREAM: 8, CLEAR: 9 } as const;
const SELF_INDEX = 0;
const ID_BYTES = 16;
const KEY_BYTES = 32;

/** A file that is not what it should be (bad magic, CRC, a record that does not parse). */
export class CatalogFormatError extends Error {
  override readonly name = 'CatalogFormatError';
}

/** What a file's header says. */
export interface FileHeader {
  /** The catalog's lineage (see Catalog.ownsId). */
  readonly epoch: Uint8Array;
  /** Which data key sealed the catalog's blocks (see data-key.ts); 0 before any was chosen. */
  readonly keyId: number;
}

/** header = magic:8 || kind:u8 || zero:3 || keyId:u32 || epoch:16 */
export function encodeFileHeader(kind: FileKindValue, h: FileHeader): Buffer {
  const b = Buffer.alloc(FILE_HEADER_BYTES);
  MAGIC.copy(b, 0);
  b[8] = kind;
  b.writeUInt32BE(h.keyId, 12);
  b.set(h.epoch, 16);
  return b;
}

export function decodeFileHeader(b: Uint8Array, kind: FileKindValue): FileHeader {
  const buf = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  if (buf.length < FILE_HEADER_BYTES || !buf.subarray(0, 8).equals(MAGIC)) throw new CatalogFormatError('not a MemCloud catalog file');
  if (buf[8] !== kind) throw new CatalogFormatError(`a ${buf[8] === FileKind.SNAPSHOT ? 'snapshot' : 'journal'} where a ${kind === FileKind.SNAPSHOT ? 'snapshot' : 'journal'} belongs`);
  for (let i = 9; i < 12; i++) if (buf[i] !== 0) throw new CatalogFormatError('unknown header flags (written by a newer MemCloud?)');
  return { keyId: buf.readUInt32BE(12), epoch: buf.slice(16, 32) };
}

// ---- writing ------------------------------------------------------------------------------

/** The catalog's writer: the one ByteWriter, failing with plain Errors (our own bug, not bad input). */
class Writer extends GrowableWriter {
  constructor() {
    super(4096, (_code, message) => new Error(`catalog: ${message}`));
  }
  /** u16 byte length || UTF-8 */
  str(text: string): void {
    this.str16(text);
  }
}

/** Encodes changes into frames for one file, interning holders as they first appear. */
export class ChangeEncoder {
  private readonly holders = new Map<HolderId, number>([[SELF, SELF_INDEX]]);
  private w = new Writer();

  constructor() {
    this.startFrame();
  }

  add(c: CatalogChange): void {
    const w = this.w;
    switch (c.t) {
      case 'block':
        this.holderList(c.record.holders); // HOLDER records go before the record that uses them
        this.block(c.record);
        return;
      case 'holders': {
        const idx = this.holderList(c.holders);
        w.u8(R.HOLDERS);
        w.hex(c.id, ID_BYTES);
        w.u8(c.wanted);
        this.indexes(idx);
        return;
      }
      case 'unblock':
        w.u8(R.UNBLOCK);
        w.hex(c.id, ID_BYTES);
        return;
      case 'key':
        w.u8(R.KEY);
        w.hex(c.id, ID_BYTES);
        w.str(c.key);
        return;
      case 'unkey':
        w.u8(R.UNKEY);
        w.str(c.key);
        return;
      case 'stream':
        this.stream(c.record);
        return;
      case 'unstream':
        w.u8(R.UNSTREAM);
        w.hex(c.id, ID_BYTES);
        return;
      case 'clear':
        w.u8(R.CLEAR);
        return;
      default: {
        const never: never = c;
        throw new Error(`unknown change ${String(never)}`);
      }
    }
  }

  /** Bytes written since the last frame was taken. */
  get pending(): number {
    return this.w.length - FRAME_HEADER_BYTES;
  }

  /** The frame holding every change added since the last call (empty when none). */
  frame(): Buffer {
    const body = this.w.take();
    const length = body.length - FRAME_HEADER_BYTES;
    if (length === 0) return Buffer.alloc(0);
    if (length > MAX_FRAME_BYTES) throw new Error(`catalog frame of ${length} bytes exceeds ${MAX_FRAME_BYTES}`);
    this.w.patchU32(0, length);
    this.w.patchU32(4, crc32(body.subarray(FRAME_HEADER_BYTES)));
    this.w = new Writer(); // the frame keeps the old buffer
    this.startFrame();
    return body;
  }

  private startFrame(): void {
    this.w.skip(FRAME_HEADER_BYTES);
  }

  private holderList(holders: readonly HolderId[]): number[] {
    return holders.map((h) => {
      let i = this.holders.get(h);
      if (i === undefined) {
        const key = decodeBase64urlExact(h, KEY_BYTES);
        if (!key) throw new Error(`bad holder key ${h}`);
        i = this.holders.size;
        this.holders.set(h, i);
        this.w.u8(R.HOLDER);
        this.w.u16(i);
        this.w.bytes(key);
      }
      return i;
    });
  }

  private indexes(idx: readonly number[]): void {
    this.w.u8(idx.length);
    for (const i of idx) this.w.u16(i);
  }

  /** BLOCK: id:16 size:u64 flags:u8 wanted:u8 createdAt:u64 parent hash? holders */
  private block(r: BlockRecord): void {
    const w = this.w;
    const idx = r.holders.map((h) => this.holders.get(h)!);
    w.u8(R.BLOCK);
    w.hex(r.id, ID_BYTES);
    w.u64(r.size);
    w.u8((r.durability === 'cache' ? 1 : 0) | (r.hash ? 2 : 0));
    w.u8(r.wanted);
    w.u64(r.createdAt);
    writeParent(w, r.parent);
    if (r.hash) w.hex(r.hash, 32);
    this.indexes(idx);
  }

  /** STREAM: id:16 size:u64 format:u8 durability:u8 createdAt:u64 digest:32 name:str16 count:u32 chunks:16*count */
  private stream(s: StreamRecord): void {
    const w = this.w;
    w.u8(R.STREAM);
    w.hex(s.id, ID_BYTES);
    w.u64(s.size);
    w.u8(s.format === 'folder' ? 1 : 0);
    w.u8(s.durability === 'cache' ? 1 : 0);
    w.u64(s.createdAt);
    w.hex(s.digest, 32);
    w.str(s.name);
    w.u32(s.chunks.length);
    for (const c of s.chunks) w.hex(c, ID_BYTES);
  }
}

/**
 * parent = kind:u8 (0 none, 1 key, 3 stream chunk) || key:str16 | stream:16 || index:u32.
 * Kind 2 (a stream chunk without its index) was written before blocks were sealed; it is still read,
 * as index 0: such blocks are checked by their content hash, and their index is never used.
 */
function writeParent(w: Writer, p: BlockParent): void {
  if (p === null) return w.u8(0);
  if (p.kind === 'key') {
    w.u8(1);
    return w.str(p.key);
  }
  w.u8(3);
  w.hex(p.id, ID_BYTES);
  w.u32(p.index);
}

// ---- reading ------------------------------------------------------------------------------

/** The catalog's reader: the one ByteReader, failing with CatalogFormatError. */
class Reader extends ByteReader {
  constructor(b: Buffer) {
    super(b, (_code, message) => new CatalogFormatError(message), 'record');
  }
  get done(): boolean {
    return this.atEnd;
  }
  bytes(n: number): Buffer {
    return this.view(n);
  }
  str(): string {
    return this.str16();
  }
}

/** Decodes the records of one file's frames, resolving its interned holders. */
export class ChangeDecoder {
  private readonly holders: HolderId[] = [SELF];

  /** The changes in one frame body (already length- and CRC-checked). */
  decode(body: Buffer): CatalogChange[] {
    const r = new Reader(body);
    const out: CatalogChange[] = [];
    while (!r.done) {
      const type = r.u8();
      switch (type) {
        case R.HOLDER: {
          const i = r.u16();
          if (i !== this.holders.length) throw new CatalogFormatError(`holder ${i} out of order`);
          this.holders.push(r.bytes(KEY_BYTES).toString('base64url'));
          break;
        }
        case R.BLOCK:
          out.push({ t: 'block', record: this.block(r) });
          break;
        case R.HOLDERS: {
          const id = r.hex(ID_BYTES);
          const wanted = r.u8();
          out.push({ t: 'holders', id, wanted, holders: this.indexes(r) });
          break;
        }
        case R.UNBLOCK:
          out.push({ t: 'unblock', id: r.hex(ID_BYTES) });
          break;
        case R.KEY: {
          const id = r.hex(ID_BYTES);
          out.push({ t: 'key', id, key: r.str() });
          break;
        }
        case R.UNKEY:
          out.push({ t: 'unkey', key: r.str() });
          break;
        case R.STREAM:
          out.push({ t: 'stream', record: stream(r) });
          break;
        case R.UNSTREAM:
          out.push({ t: 'unstream', id: r.hex(ID_BYTES) });
          break;
        case R.CLEAR:
          out.push({ t: 'clear' });
          break;
        default:
          throw new CatalogFormatError(`unknown record type ${type}`);
      }
    }
    return out;
  }

  private indexes(r: Reader): HolderId[] {
    const n = r.u8();
    const out: HolderId[] = [];
    for (let i = 0; i < n; i++) {
      const h = this.holders[r.u16()];
      if (h === undefined) throw new CatalogFormatError('a record names an unknown holder');
      out.push(h);
    }
    return out;
  }

  private block(r: Reader): BlockRecord {
    const id = r.hex(ID_BYTES);
    const size = r.u64();
    const flags = r.u8();
    if (flags & ~3) throw new CatalogFormatError(`unknown block flags ${flags}`);
    const wanted = r.u8();
    // 0 only for an evicted cache block (no replica left, none wanted: owner-index isEvicted).
    if (wanted > 16 || (wanted === 0 && !(flags & 1))) throw new CatalogFormatError(`block ${id} wants ${wanted} replicas`);
    const createdAt = r.u64();
    const parent = readParent(r);
    const hash = flags & 2 ? r.hex(32) : '';
    const holders = this.indexes(r);
    if (wanted === 0 && holders.length > 0) throw new CatalogFormatError(`block ${id} wants no replicas but has ${holders.length}`);
    return { id, size, hash, durability: flags & 1 ? 'cache' : 'pinned', wanted, createdAt, parent, holders };
  }
}

function readParent(r: Reader): BlockParent {
  const kind = r.u8();
  if (kind === 0) return null;
  if (kind === 1) return { kind: 'key', key: r.str() };
  if (kind === 2) return { kind: 'stream', id: r.hex(ID_BYTES), index: 0 };
  if (kind === 3) {
    const id = r.hex(ID_BYTES);
    return { kind: 'stream', id, index: r.u32() };
  }
  throw new CatalogFormatError(`unknown parent kind ${kind}`);
}

function stream(r: Reader): StreamRecord {
  const id = r.hex(ID_BYTES);
  const size = r.u64();
  const format = r.u8();
  const durability = r.u8();
  if (format > 1 || durability > 1) throw new CatalogFormatError(`bad stream ${id}`);
  const createdAt = r.u64();
  const digest = r.hex(32);
  const name = r.str();
  const count = r.u32();
  if (count * ID_BYTES > MAX_FRAME_BYTES) throw new CatalogFormatError(`stream ${id} lists too many chunks`);
  const chunks: string[] = new Array(count);
  for (let i = 0; i < count; i++) chunks[i] = r.hex(ID_BYTES);
  return { id, name, size, chunks, digest, format: format === 1 ? 'folder' : 'file', durability: durability === 1 ? 'cache' : 'pinned', createdAt };
}

export interface Frames {
  readonly bodies: Buffer[];
  /** Where the readable frames end. */
  readonly end: number;
  /**
   * 'whole': every byte is in a good frame. 'torn': the last frame is cut short or garbled (a
   * write the process or the machine did not finish; nothing after it). 'corrupt': a bad frame
   * with more frames after it (the file was damaged).
   */
  readonly state: 'whole' | 'torn' | 'corrupt';
}

/** Splits a file's bytes after its header into frame bodies, each checked against its CRC. */
export function readFrames(b: Buffer, from: number): Frames {
  const bodies: Buffer[] = [];
  let pos = from;
  const stop = (state: 'torn' | 'corrupt'): Frames => ({ bodies, end: pos, state });
  while (pos < b.length) {
    const left = b.length - pos;
    if (left < FRAME_HEADER_BYTES) return stop('torn');
    const length = b.readUInt32BE(pos);
    if (length === 0) return stop(b.subarray(pos).every((x) => x === 0) ? 'torn' : 'corrupt');
    if (left - FRAME_HEADER_BYTES < length) return stop('torn'); // cut short: nothing can follow it
    if (length > MAX_FRAME_BYTES) return stop('corrupt');
    const body = b.subarray(pos + FRAME_HEADER_BYTES, pos + FRAME_HEADER_BYTES + length);
    if (crc32(body) !== b.readUInt32BE(pos + 4)) return stop(left === FRAME_HEADER_BYTES + length ? 'torn' : 'corrupt');
    bodies.push(body);
    pos += FRAME_HEADER_BYTES + length;
  }
  return { bodies, end: pos, state: 'whole' };
}
