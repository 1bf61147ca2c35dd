// Packing a listed folder into a tar stream (tar-format.ts), file by file without reading whole
// files into memory. Reads exactly what was listed: every directory is re-entered through a handle
// and every file opened without following links and checked against its listed dev/ino and size
// (dir-handle.ts); a file that grows, shrinks or is rewritten while it is read is refused too.

import { join, posix } from 'node:path';
import type { FileHandle } from 'node:fs/promises';
import { changed, DirHandle } from './dir-handle';
import type { FolderEntry, FolderListing } from './folder-listing';
import { BLOCK, encodeHeader, needsPax, padded, paxRecord, type TarType } from './tar-format';

const READ_CHUNK = 1024 * 1024;

/** Test seam: runs before each entry is read, so a test can change the folder at an exact point. */
export interface PackHooks {
  beforeEntry?(entry: FolderEntry): Promise<void> | void;
}
export const packTestHooks: PackHooks = {};

const tarName = (e: FolderEntry): string => (e.path === '.' ? './' : e.type === 'dir' ? `${e.path}/` : e.path);

function paxFor(e: FolderEntry): Buffer | null {
  const name = tarName(e);
  const records = [needsPax(name) ? paxRecord('path', name) : null, e.type === 'symlink' && needsPax(e.target) ? paxRecord('linkpath', e.target) : null];
  const present = records.filter((r): r is Buffer => r !== null);
  return present.length ? Buffer.concat(present) : null;
}

/** Bytes the archive of these entries will take (for progress). */
export function archiveSize(entries: readonly FolderEntry[]): number {
  let n = 2 * BLOCK;
  for (const e of entries) {
    const pax = paxFor(e);
    n += BLOCK + (pax ? BLOCK + padded(pax.length) : 0);
    if (e.type === 'file') n += padded(e.size);
  }
  return n;
}

function headersFor(e: FolderEntry): Buffer[] {
  const out: Buffer[] = [];
  const pax = paxFor(e);
  if (pax) {
    out.push(encodeHeader({ name: 'PaxHeader', type: 'x', size: pax.length, mode: 0o644, mtime: e.mtime }));
    out.push(Buffer.concat([pax, Buffer.alloc(padded(pax.length) - pax.length)]));
  }
  const name = tarName(e);
  const type: TarType = e.type === 'dir' ? '5' : e.type === 'symlink' ? '2' : '0';
  const linkname = e.type === 'symlink' ? (needsPax(e.target) ? '' : e.target) : undefined;
  out.push(encodeHeader({ name: needsPax(name) ? 'long-name' : name, type, size: e.type === 'file' ? e.size : 0, mode: e.mode, mtime: e.mtime, ...(linkname !== undefined ? { linkname } : {}) }));
  return out;
}

/** Yields the archive in pieces (headers, file chunks, padding). */
export async function* packFolder(listing: FolderListing, hooks: PackHooks = packTestHooks): AsyncGenerator<Uint8Array> {
  const shown = (e: FolderEntry): string => join(listing.root, e.path);
  const open: Array<{ rel: string; dir: DirHandle }> = [];
  try {
    for (const e of listing.entries) {
      await hooks.beforeEntry?.(e);
      if (e.path === '.') {
        const { dir, stat } = await DirHandle.openRoot(listing.root);
        open.push({ rel: '.', dir });
        if (stat.dev !== e.dev || stat.ino !== e.ino) throw changed(listing.root, 'was replaced');
        yield* headersFor(e);
        continue;
      }
      const parent = posix.dirname(e.path);
      while (open.length > 0 && open[open.length - 1]!.rel !== parent) await open.pop()!.dir.close();
      const here = open[open.length - 1];
      if (!here) throw changed(shown(e), 'was moved');
      const name = posix.basename(e.path);
      if (e.type === 'dir') {
        open.push({ rel: e.path, dir: await here.dir.openDir(name, e, shown(e)) });
        yield* headersFor(e);
      } else if (e.type === 'symlink') {
        yield* headersFor(e); // stored as listed: its target text, never what it points to
      } else {
        const { fh, stat } = await here.dir.openFile(name, e, shown(e));
        try {
          yield* headersFor(e);
          yield* readExactly(fh, e.size, shown(e));
          const after = await fh.stat();
          if (after.size !== e.size || after.mtimeMs !== stat.mtimeMs || after.ctimeMs !== stat.ctimeMs) throw changed(shown(e), 'changed');
        } finally {
          await fh.close();
        }
        if (padded(e.size) > e.size) yield Buffer.alloc(padded(e.size) - e.size);
      }
    }
  } finally {
    for (const o of open.reverse()) await o.dir.close();
  }
  yield Buffer.alloc(2 * BLOCK);
}

/** Exactly `size` bytes, in fresh buffers (the consumer may keep them); a file that ends early or goes on is refused. */
async function* readExactly(fh: FileHandle, size: number, shown: string): AsyncGenerator<Uint8Array> {
  let done = 0;
  while (done < size) {
    const buf = Buffer.allocUnsafe(Math.min(READ_CHUNK, size - done));
    const { bytesRead } = await fh.read(buf, 0, buf.length, done);
    if (bytesRead === 0) throw changed(shown, 'shrank');
    done += bytesRead;
    yield bytesRead === buf.length ? buf : buf.subarray(0, bytesRead);
  }
  const probe = Buffer.alloc(1);
  if ((await fh.read(probe, 0, 1, size)).bytesRead > 0) throw changed(shown, 'grew');
}
