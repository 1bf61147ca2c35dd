// The POSIX tar layout folders travel in (docs/protocol.md section 11): ustar headers, PAX records
// for what does not fit them (long or non-ASCII paths and link targets), checksums. Bytes only; what
// to pack and where to unpack live in folder-pack.ts and folder-unpack.ts.

import { ErrorCodes, MemCloudError } from '../errors';

export const BLOCK = 512;
/** A PAX extended header larger than this is refused (ours hold one path and one link target). */
export const MAX_PAX_BYTES = 64 * 1024;

export type TarType = '0' | '2' | '5' | 'x';

export const padded = (n: number): number => Math.ceil(n / BLOCK) * BLOCK;

/** True when `text` cannot go into a ustar field of `width` bytes as it is. */
export const needsPax = (text: string, width = 100): boolean => Buffer.byteLength(text) > width || /[^\x20-\x7e]/.test(text);

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

export interface HeaderFields {
  readonly name: string;
  readonly type: TarType;
  readonly size: number;
  readonly mode: number;
  readonly mtime: number;
  readonly linkname?: string;
}

export function encodeHeader(f: HeaderFields): Buffer {
  const h = Buffer.alloc(BLOCK);
  h.write(f.name, 0, 100, 'utf8');
  h.write(octal(f.mode, 8), 100, 'ascii');
  h.write(octal(0, 8), 108, 'ascii');
  h.write(octal(0, 8), 116, 'ascii');
  h.write(octal(f.size, 12), 124, 'ascii');
  h.write(octal(f.mtime, 12), 136, 'ascii');
  h.fill(0x20, 148, 156);
  h.write(f.type, 156, 'ascii');
  if (f.linkname !== undefined) h.write(f.linkname, 157, 100, 'utf8');
  h.write('ustar\u000000', 257, 'ascii');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(octal(sum, 7) + ' ', 148, 'ascii');
  return h;
}

/** A PAX record "<len> key=value\n" whose decimal length counts its own digits. */
export function paxRecord(key: string, value: string): Buffer {
  const body = ` ${key}=${value}\n`;
  const bodyLength = Buffer.byteLength(body);
  let len = bodyLength + String(bodyLength).length;
  if (String(len).length !== String(bodyLength).length) len = bodyLength + String(len).length;
  return Buffer.from(`${len}${body}`, 'utf8');
}

export function corrupt(why: string): MemCloudError {
  return new MemCloudError(ErrorCodes.CORRUPT_BLOCK, `folder archive: ${why}`);
}

function readOctal(h: Buffer, offset: number, width: number): number {
  const text = h.toString('ascii', offset, offset + width).replace(/\0.*$/, '').trim();
  if (!/^[0-7]*$/.test(text)) throw corrupt('bad number field');
  return text === '' ? 0 : parseInt(text, 8);
}

const cString = (h: Buffer, offset: number, width: number): string => h.toString('utf8', offset, offset + width).replace(/\0.*$/, '');

export interface ParsedHeader {
  /** The typeflag as written ('0', '\0', '2', '5', 'x', or anything else, which callers refuse). */
  readonly type: string;
  readonly name: string;
  readonly linkname: string;
  readonly size: number;
  /** All permission bits as written; callers mask them. */
  readonly mode: number;
  readonly mtime: number;
}

/** A header block, its checksum verified. */
export function decodeHeader(h: Buffer): ParsedHeader {
  const stored = readOctal(h, 148, 8);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : h[i]!;
  if (sum !== stored) throw corrupt('header checksum mismatch');
  const prefix = cString(h, 345, 155);
  return {
    type: String.fromCharCode(h[156]!),
    name: (prefix ? `${prefix}/` : '') + cString(h, 0, 100),
    linkname: cString(h, 157, 100),
    size: readOctal(h, 124, 12),
    mode: readOctal(h, 100, 8),
    mtime: readOctal(h, 136, 12),
  };
}

/** The path and linkpath records of a PAX extended header (others are ignored). */
export function parsePax(data: Buffer): { path?: string; linkpath?: string } {
  const out: { path?: string; linkpath?: string } = {};
  let offset = 0;
  while (offset < data.length) {
    const space = data.indexOf(0x20, offset);
    if (space < 0) throw corrupt('malformed PAX record');
    const len = Number(data.toString('ascii', offset, space));
    if (!Number.isInteger(len) || len <= 0 || offset + len > data.length) throw corrupt('malformed PAX record');
    const record = data.toString('utf8', space + 1, offset + len - 1);
    const eq = record.indexOf('=');
    const key = eq > 0 ? record.slice(0, eq) : '';
    if (key === 'path' || key === 'linkpath') out[key] = record.slice(eq + 1);
    offset += len;
  }
  return out;
}
