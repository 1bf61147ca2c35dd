// Files in the home are replaced whole or not at all: a crash mid-write leaves either the old
// content or the new, never a torn file, and never a window where a secret is readable by others.

import { randomBytes } from 'node:crypto';
import { link, open, rename, unlink } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { errnoCode } from './fs-errors';

function tempPathFor(target: string): string {
  return join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
}

/**
 * Create `path` exclusively with exactly `mode` (whatever the umask), write, fsync. On failure
 * after creating it, remove it: never leave a partial file behind.
 */
async function writeNewFile(path: string, data: string | Uint8Array, mode: number): Promise<void> {
  const fh = await open(path, 'wx', mode);
  try {
    if (process.platform !== 'win32') await fh.chmod(mode);
    await fh.writeFile(data);
    await fh.sync();
  } catch (err) {
    await fh.close().catch(() => undefined);
    await removeQuietly(path);
    throw err;
  }
  await fh.close();
}

async function removeQuietly(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch {
    // Already gone, or the original error is the one worth reporting.
  }
}

/** Make a rename or link in `dir` durable. Some platforms cannot fsync a directory; that is fine. */
async function syncDirectory(dir: string): Promise<void> {
  let fh: FileHandle | undefined;
  try {
    fh = await open(dir, 'r');
    await fh.sync();
  } catch (err) {
    const code = errnoCode(err);
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL' && code !== 'EBADF' && code !== 'EACCES') throw err;
  } finally {
    await fh?.close();
  }
}

/** Replace `path` atomically with `data`: temp file in the same directory, fsync, rename, fsync dir. */
export async function writeFileAtomic(path: string, data: string | Uint8Array, mode = 0o600): Promise<void> {
  const temp = tempPathFor(path);
  try {
    await writeNewFile(temp, data, mode);
    await rename(temp, path);
  } catch (err) {
    await removeQuietly(temp);
    throw err;
  }
  await syncDirectory(dirname(path));
}

/**
 * Create `path` with `data` only if it does not exist yet, atomically: a reader sees no file or the
 * whole file. Returns false (and writes nothing) when the file already exists.
 */
export async function createFileExclusive(path: string, data: string | Uint8Array, mode = 0o600): Promise<boolean> {
  const temp = tempPathFor(path);
  try {
    await writeNewFile(temp, data, mode);
    // link() fails with EEXIST instead of replacing, which rename() would do.
    await link(temp, path);
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS' && code !== 'EXDEV') throw err;
    // Filesystems without hard links: exclusive create in place. A concurrent reader may briefly
    // see a short file; it is never replaced once written.
    try {
      await writeNewFile(path, data, mode);
    } catch (err2) {
      if (errnoCode(err2) === 'EEXIST') return false;
      throw err2;
    }
  } finally {
    await removeQuietly(temp);
  }
  await syncDirectory(dirname(path));
  return true;
}

export interface StrictRead {
  readonly data: Buffer;
  /** Permission bits (st_mode & 0o7777). */
  readonly mode: number;
  readonly uid: number;
}

/** Thrown by readFileStrict when the path is there but is not something we will read. */
export class FileShapeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FileShapeError';
  }
}

/**
 * Read a small regular file. Returns undefined when it does not exist. The mode and owner come
 * from the open handle, so they describe the very file that was read.
 */
export async function readFileStrict(path: string, opts: { readonly maxBytes: number }): Promise<StrictRead | undefined> {
  let fh: FileHandle;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return undefined;
    throw err;
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new FileShapeError('it is not a regular file');
    if (st.size > opts.maxBytes) throw new FileShapeError(`it is larger than ${opts.maxBytes} bytes`);
    const data = await fh.readFile();
    if (data.length > opts.maxBytes) throw new FileShapeError(`it is larger than ${opts.maxBytes} bytes`);
    return { data, mode: st.mode & 0o7777, uid: st.uid };
  } finally {
    await fh.close();
  }
}
