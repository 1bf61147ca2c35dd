// Folders travel as POSIX tar (ustar, with PAX records for long names): packed file by file
// without reading whole files into memory, and unpacked with every path checked so an archive can
// never write outside the target folder. Regular files and directories only; symbolic links and
// special files are skipped when packing and refused when unpacking.

import { createReadStream } from 'node:fs';
import { lstat, mkdir, open, readdir } from 'node:fs/promises';
import { join, posix, relative, resolve, sep } from 'node:path';
import { ErrorCodes, MemCloudError } from '../errors';

const BLOCK = 512;

export interface FolderEntry {
  readonly path: string; // relative, '/'-separated
  readonly absolute: string;
  readonly type: 'file' | 'dir';
  readonly size: number;
  readonly mode: number;
  readonly mtime: number;
}

/** Every file and directory under `root`, depth first, in a stable order. */
export async function listFolder(root: string): Promise<{ entries: FolderEntry[]; skipped: string[] }> {
  const entries: FolderEntry[] = [];
  const skipped: string[] = [];
  async function walk(dir: string): Promise<void> {
    const names = (await readdir(dir)).sort();
    for (const name of names) {
      const absolute = join(dir, name);
      const rel = relative(root, absolute).split(sep).join('/');
      const st = await lstat(absolute);
      if (st.isDirectory()) {
        entries.push({ path: rel, absolute, type: 'dir', size: 0, mode: st.mode & 0o777, mtime: Math.floor(st.mtimeMs / 1000) });
        await walk(absolute);
      } else if (st.isFile()) {
        entries.push({ path: rel, absolute, type: 'file', size: st.size, mode: st.mode & 0o777, mtime: Math.floor(st.mtimeMs / 1000) });
      } else {
        skipped.push(rel);
      }
    }
  }
  await walk(root);
  return { entries, skipped };
}

/** Bytes the archive of these entries will take (for progress). */
export function archiveSize(entries: readonly FolderEntry[]): number {
  let n = 2 * BLOCK;
  for (const e of entries) {
    n += BLOCK + (needsPax(e.path) ? BLOCK + pad(paxRecord('path', e.path).length) : 0);
    if (e.type === 'file') n += pad(e.size);
  }
  return n;
}

const pad = (n: number) => Math.ceil(n / BLOCK) * BLOCK;
const needsPax = (path: string) => Buffer.byteLength(path) > 100 || /[^\x20-\x7e]/.test(path);

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

function header(name: string, type: '0' | '5' | 'x', size: number, mode: number, mtime: number): Buffer {
  const h = Buffer.alloc(BLOCK);
  h.write(name.slice(0, 100), 0, 100, 'utf8');
  h.write(octal(mode, 8), 100, 'ascii');
  h.write(octal(0, 8), 108, 'ascii');
  h.write(octal(0, 8), 116, 'ascii');
  h.write(octal(size, 12), 124, 'ascii');
  h.write(octal(mtime, 12), 136, 'ascii');
  h.fill(0x20, 148, 156);
  h.write(type, 156, 'ascii');
  h.write('ustar\u000000', 257, 'ascii');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(octal(sum, 7) + ' ', 148, 'ascii');
  return h;
}

/** A PAX record "<len> key=value\n" whose decimal length counts its own digits. */
function paxRecord(key: string, value: string): Buffer {
  const body = ` ${key}=${value}\n`;
  const bodyLength = Buffer.byteLength(body);
  let len = bodyLength + String(bodyLength).length;
  if (String(len).length !== String(bodyLength).length) len = bodyLength + String(len).length;
  return Buffer.from(`${len}${body}`, 'utf8');
}

/** Yields the archive in pieces (headers, file chunks, padding); file data is streamed. */
export async function* packFolder(entries: readonly FolderEntry[]): AsyncGenerator<Uint8Array> {
  for (const e of entries) {
    const name = e.type === 'dir' ? `${e.path}/` : e.path;
    if (needsPax(name)) {
      const rec = paxRecord('path', name);
      yield header('PaxHeader', 'x', rec.length, 0o644, e.mtime);
      yield Buffer.concat([rec, Buffer.alloc(pad(rec.length) - rec.length)]);
    }
    yield header(Buffer.from(name).length > 100 ? 'long-name' : name, e.type === 'dir' ? '5' : '0', e.size, e.mode, e.mtime);
    if (e.type !== 'file') continue;
    let sent = 0;
    for await (const chunk of createReadStream(e.absolute, { highWaterMark: 1024 * 1024 })) {
      const b = chunk as Buffer;
      const take = Math.min(b.length, e.size - sent);
      if (take > 0) yield b.subarray(0, take);
      sent += take;
      if (sent >= e.size) break;
    }
    if (sent !== e.size) throw new MemCloudError(ErrorCodes.BAD_ARGUMENT, `${e.path} changed size while being offloaded`);
    if (pad(e.size) > e.size) yield Buffer.alloc(pad(e.size) - e.size);
  }
  yield Buffer.alloc(2 * BLOCK);
}

function bad(why: string): MemCloudError {
  return new MemCloudError(ErrorCodes.CORRUPT_BLOCK, `folder archive: ${why}`);
}

function safeJoin(root: string, name: string): string {
  const clean = posix.normalize(name.replace(/\/+$/, ''));
  if (clean === '' || clean === '.' || clean.startsWith('../') || clean === '..' || posix.isAbsolute(clean) || name.includes('\0')) {
    throw bad(`unsafe path ${JSON.stringify(name)}`);
  }
  const target = resolve(root, ...clean.split('/'));
  if (!target.startsWith(resolve(root) + sep)) throw bad(`path ${JSON.stringify(name)} leaves the folder`);
  return target;
}

function readOctal(h: Buffer, offset: number, width: number): number {
  const text = h.toString('ascii', offset, offset + width).replace(/\0.*$/, '').trim();
  if (!/^[0-7]*$/.test(text)) throw bad('bad number field');
  return text === '' ? 0 : parseInt(text, 8);
}

/** Unpacks an archive read chunk by chunk into `root` (which must exist and be empty). */
export async function unpackFolder(root: string, chunks: AsyncIterable<Uint8Array>): Promise<{ files: number; bytes: number }> {
  let buffered = Buffer.alloc(0);
  let file: { fh: Awaited<ReturnType<typeof open>>; left: number; padding: number } | null = null;
  let paxPath: string | null = null;
  let paxLeft = 0;
  let paxData: Buffer[] = [];
  let paxPadding = 0;
  let skip = 0;
  let files = 0;
  let bytes = 0;
  let ended = false;
  for await (const chunk of chunks) {
    buffered = buffered.length === 0 ? Buffer.from(chunk) : Buffer.concat([buffered, chunk]);
    for (;;) {
      if (ended) {
        buffered = Buffer.alloc(0);
        break;
      }
      if (skip > 0) {
        const n = Math.min(skip, buffered.length);
        skip -= n;
        buffered = buffered.subarray(n);
        if (skip > 0) break;
        continue;
      }
      if (file) {
        const n = Math.min(file.left, buffered.length);
        if (n > 0) await file.fh.write(buffered.subarray(0, n));
        file.left -= n;
        bytes += n;
        buffered = buffered.subarray(n);
        if (file.left > 0) break;
        await file.fh.close();
        skip = file.padding;
        file = null;
        continue;
      }
      if (paxLeft > 0) {
        const n = Math.min(paxLeft, buffered.length);
        paxData.push(buffered.subarray(0, n));
        paxLeft -= n;
        buffered = buffered.subarray(n);
        if (paxLeft > 0) break;
        paxPath = parsePaxPath(Buffer.concat(paxData));
        paxData = [];
        skip = paxPadding;
        continue;
      }
      if (buffered.length < BLOCK) break;
      const h = buffered.subarray(0, BLOCK);
      buffered = buffered.subarray(BLOCK);
      if (h.every((b) => b === 0)) {
        ended = true;
        continue;
      }
      verifyChecksum(h);
      const type = String.fromCharCode(h[156]!);
      const size = readOctal(h, 124, 12);
      const mode = readOctal(h, 100, 8) & 0o777;
      const prefix = h.toString('utf8', 345, 500).replace(/\0.*$/, '');
      const name = paxPath ?? (prefix ? `${prefix}/` : '') + h.toString('utf8', 0, 100).replace(/\0.*$/, '');
      if (type === 'x') {
        if (size > 64 * 1024) throw bad('PAX header too large');
        paxLeft = size;
        paxPadding = pad(size) - size;
        continue;
      }
      paxPath = null;
      if (type === '5' && posix.normalize(name.replace(/\/+$/, '')) === '.') continue; // the root itself (GNU tar writes "./")
      const target = safeJoin(root, name);
      if (type === '5') {
        await mkdir(target, { recursive: true, mode: 0o700 | mode });
      } else if (type === '0' || type === '\0') {
        const fh = await open(target, 'wx', (mode || 0o644) & 0o777);
        files++;
        file = { fh, left: size, padding: pad(size) - size };
        if (size === 0) {
          await fh.close();
          file = null;
        }
      } else {
        throw bad(`entry ${JSON.stringify(name)} is not a regular file or folder (type ${JSON.stringify(type)})`);
      }
    }
  }
  if (file || paxLeft > 0 || !ended) {
    await file?.fh.close();
    throw bad('truncated');
  }
  return { files, bytes };
}

function verifyChecksum(h: Buffer): void {
  const stored = readOctal(h, 148, 8);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : h[i]!;
  if (sum !== stored) throw bad('header checksum mismatch');
}

function parsePaxPath(data: Buffer): string | null {
  let path: string | null = null;
  let offset = 0;
  while (offset < data.length) {
    const space = data.indexOf(0x20, offset);
    if (space < 0) throw bad('malformed PAX record');
    const len = Number(data.toString('ascii', offset, space));
    if (!Number.isInteger(len) || len <= 0 || offset + len > data.length) throw bad('malformed PAX record');
    const record = data.toString('utf8', space + 1, offset + len - 1);
    const eq = record.indexOf('=');
    if (eq > 0 && record.slice(0, eq) === 'path') path = record.slice(eq + 1);
    offset += len;
  }
  return path;
}
