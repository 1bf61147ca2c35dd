// Unpacking a folder archive into a fresh private directory, so that nothing is ever written
// outside it and nothing is written through a link:
// - every path is checked (no absolute paths, no '..', no NUL) before it is used;
// - files are created exclusively (O_CREAT|O_EXCL never follows a link) and directories private;
// - symbolic links are created last, after every file and folder (as GNU tar defers them), each
//   only once the folders above it are checked to be real folders: while data is written the tree
//   holds no link at all, and a link pointing outside stays a link, never dereferenced;
// - modes are restored masked to 0o777 (no setuid, setgid or sticky bit), folders' once their
//   contents are in (a read-only folder still gets its files), through handles that do not follow
//   links; modification times too. Hard links and special files are refused.

import { constants } from 'node:fs';
import { lstat, lutimes, mkdir, open, symlink, type FileHandle } from 'node:fs/promises';
import { dirname, posix, relative, resolve, sep } from 'node:path';
import { ErrorCodes, MemCloudError } from '../errors';
import { errnoCode } from '../home/fs-errors';
import { BLOCK, MAX_PAX_BYTES, corrupt, decodeHeader, padded, parsePax } from './tar-format';

/** Permission bits a restore may set. */
export const RESTORE_MODE_MASK = 0o777;

function safeJoin(root: string, name: string): string {
  const clean = posix.normalize(name.replace(/\/+$/, ''));
  if (clean === '' || clean === '.' || clean.startsWith('../') || clean === '..' || posix.isAbsolute(clean) || name.includes('\0')) {
    throw corrupt(`unsafe path ${JSON.stringify(name)}`);
  }
  const target = resolve(root, ...clean.split('/'));
  if (!target.startsWith(resolve(root) + sep)) throw corrupt(`path ${JSON.stringify(name)} leaves the folder`);
  return target;
}

const isRoot = (name: string): boolean => posix.normalize(name.replace(/\/+$/, '') || '.') === '.';

interface Deferred {
  readonly target: string;
  readonly mode: number;
  readonly mtime: number;
}

/** Unpacks an archive read chunk by chunk into `root` (a directory we just created, empty). */
export async function unpackFolder(root: string, chunks: AsyncIterable<Uint8Array>): Promise<{ files: number; bytes: number }> {
  const folders: Deferred[] = [];
  const links: Array<{ target: string; linkTo: string; mtime: number }> = [];
  let rootMeta: Deferred | null = null;
  let buffered = Buffer.alloc(0);
  let file: { fh: FileHandle; left: number; padding: number; mode: number; mtime: number } | null = null;
  let pax: { path?: string; linkpath?: string } = {};
  let paxLeft = 0;
  let paxData: Buffer[] = [];
  let paxPadding = 0;
  let skip = 0;
  let files = 0;
  let bytes = 0;
  let ended = false;
  try {
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
          await finishFile(file);
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
          pax = parsePax(Buffer.concat(paxData));
          paxData = [];
          skip = paxPadding;
          continue;
        }
        if (buffered.length < BLOCK) break;
        const block = buffered.subarray(0, BLOCK);
        buffered = buffered.subarray(BLOCK);
        if (block.every((b) => b === 0)) {
          ended = true;
          continue;
        }
        const h = decodeHeader(block);
        if (h.type === 'x') {
          if (h.size > MAX_PAX_BYTES) throw corrupt('PAX header too large');
          paxLeft = h.size;
          paxPadding = padded(h.size) - h.size;
          continue;
        }
        const name = pax.path ?? h.name;
        const linkTo = pax.linkpath ?? h.linkname;
        pax = {};
        const mode = h.mode & RESTORE_MODE_MASK;
        if (h.type === '5' && isRoot(name)) {
          rootMeta = { target: root, mode, mtime: h.mtime }; // the folder itself (we write "./", GNU tar too)
          continue;
        }
        const target = safeJoin(root, name);
        if (h.type === '5') {
          await mkdir(target, { recursive: true, mode: 0o700 }).catch((err: unknown) => {
            throw errnoCode(err) === 'EEXIST' || errnoCode(err) === 'ENOTDIR' ? corrupt(`${JSON.stringify(name)} appears twice`) : err;
          });
          folders.push({ target, mode, mtime: h.mtime });
        } else if (h.type === '0' || h.type === '\0') {
          await mkdir(dirname(target), { recursive: true, mode: 0o700 }); // archives may omit folder entries
          const fh = await open(target, 'wx', 0o600).catch((err: unknown) => {
            throw errnoCode(err) === 'EEXIST' ? corrupt(`${JSON.stringify(name)} appears twice`) : err;
          });
          files++;
          file = { fh, left: h.size, padding: padded(h.size) - h.size, mode, mtime: h.mtime };
          if (h.size === 0) {
            await finishFile(file);
            file = null;
          }
        } else if (h.type === '2') {
          if (linkTo === '' || linkTo.includes('\0')) throw corrupt(`link ${JSON.stringify(name)} has no target`);
          links.push({ target, linkTo, mtime: h.mtime });
        } else {
          throw corrupt(`entry ${JSON.stringify(name)} is not a regular file, folder or symbolic link (type ${JSON.stringify(h.type)})`);
        }
      }
    }
    if (file || paxLeft > 0 || !ended) throw corrupt('truncated');
  } finally {
    await file?.fh.close().catch(() => undefined);
  }
  for (const l of links) await makeLink(root, l);
  // Deepest first, so a folder made read-only does not stop its children from getting theirs.
  for (const f of [...folders].reverse()) await setFolderMeta(f);
  if (rootMeta) await setFolderMeta(rootMeta);
  return { files, bytes };
}

async function finishFile(f: { fh: FileHandle; mode: number; mtime: number }): Promise<void> {
  await f.fh.chmod(f.mode);
  await f.fh.utimes(f.mtime, f.mtime);
  await f.fh.close();
}

/** Creates a link only where every folder above it is a real folder: never inside another link. */
async function makeLink(root: string, l: { target: string; linkTo: string; mtime: number }): Promise<void> {
  const parts = relative(root, l.target).split(sep);
  let at = root;
  for (const part of parts.slice(0, -1)) {
    at = resolve(at, part);
    const st = await lstat(at).catch(() => undefined);
    if (st === undefined) await mkdir(at, { mode: 0o700 });
    else if (!st.isDirectory()) throw corrupt(`link ${JSON.stringify(parts.join('/'))} would be created inside ${JSON.stringify(relative(root, at))}, which is not a folder`);
  }
  try {
    await symlink(l.linkTo, l.target);
  } catch (err) {
    if (errnoCode(err) === 'EEXIST') throw corrupt(`${JSON.stringify(parts.join('/'))} appears twice`);
    // Windows lets only some users create links (developer mode or an administrator).
    throw new MemCloudError(ErrorCodes.BAD_ARGUMENT, `cannot restore the symbolic link ${parts.join('/')} here (${errnoCode(err) ?? String(err)})`);
  }
  await lutimes(l.target, l.mtime, l.mtime).catch(() => undefined); // not every filesystem keeps a link's time
}

async function setFolderMeta(f: Deferred): Promise<void> {
  if (process.platform === 'win32') return; // no POSIX modes; a folder cannot be opened there
  const fh = await open(f.target, constants.O_RDONLY | (constants.O_DIRECTORY ?? 0) | (constants.O_NOFOLLOW ?? 0));
  try {
    await fh.chmod(f.mode);
    await fh.utimes(f.mtime, f.mtime);
  } finally {
    await fh.close();
  }
}
