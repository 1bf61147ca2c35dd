// Reading a folder someone else may be changing, without ever following a symbolic link inside it.
//
// A DirHandle is an open directory. Its children are reached relative to that open directory, not by
// a path an attacker could re-point: on Linux through /proc/self/fd/<fd>/<name>, which the kernel
// resolves from the open directory itself (what openat(2) does; Node has no openat). Files and
// directories are opened with O_NOFOLLOW and checked with fstat against the dev/ino (type, size)
// the listing saw, so a swap between listing and reading is refused, never read through.
// Elsewhere (macOS, Windows) children are reached by path and the same fstat checks apply; a
// directory higher up swapped for a link and back between two of our calls is not detected there.
// Windows cannot open a directory at all: there a DirHandle is its path and the identity lstat saw.

import { constants, existsSync, type Stats } from 'node:fs';
import { lstat, open, readdir, readlink, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCodes, MemCloudError } from '../errors';
import { describe, errnoCode } from '../home/fs-errors';

const NOFOLLOW = constants.O_NOFOLLOW ?? 0;
const DIRECTORY = constants.O_DIRECTORY ?? 0;
/** A FIFO swapped in for a file must not block the open; it is refused by the type check after. */
const NONBLOCK = constants.O_NONBLOCK ?? 0;

/** What the listing saw: a later open must find this very file. */
export interface Identity {
  readonly dev: number;
  readonly ino: number;
}

/** The push fails naming the path: something in the folder changed while it was being read. */
export function changed(path: string, what: string): MemCloudError {
  return new MemCloudError(ErrorCodes.BAD_ARGUMENT, `${path} ${what} while the folder was being offloaded; nothing was kept (try again once it is settled)`);
}

/** Windows opens no directory (EISDIR): there directories are known by path and lstat only. */
const OPENS_DIRECTORIES = process.platform !== 'win32';

const sameFile = (st: Stats, id: Identity): boolean => st.dev === id.dev && st.ino === id.ino;

export class DirHandle {
  /** Reach children through /proc/self/fd (Linux); false: by path with fstat checks (elsewhere; tests may force it). */
  static resolveBeneath = process.platform === 'linux' && existsSync('/proc/self/fd');

  private constructor(
    /** For messages and the path fallback: where this directory was when opened. */
    readonly path: string,
    private readonly fh: FileHandle | null,
    readonly identity: Identity,
  ) {}

  /** The folder being offloaded; the user named it, so a link there is followed, once. */
  static async openRoot(path: string): Promise<{ dir: DirHandle; stat: Stats }> {
    if (!OPENS_DIRECTORIES) {
      const st = await stat(path);
      if (!st.isDirectory()) throw new MemCloudError(ErrorCodes.BAD_ARGUMENT, `${path} is not a folder`);
      return { dir: new DirHandle(path, null, st), stat: st };
    }
    const fh = await open(path, constants.O_RDONLY | DIRECTORY);
    const st = await fh.stat();
    if (!st.isDirectory()) {
      await fh.close();
      throw new MemCloudError(ErrorCodes.BAD_ARGUMENT, `${path} is not a folder`);
    }
    return { dir: new DirHandle(path, fh, st), stat: st };
  }

  /** How the child `name` is reached: from the open directory, or by path where that is not possible. */
  private child(name: string): string {
    return DirHandle.resolveBeneath && this.fh ? `/proc/self/fd/${this.fh.fd}/${name}` : join(this.path, name);
  }

  async names(): Promise<string[]> {
    const beneath = DirHandle.resolveBeneath && this.fh;
    const names = await readdir(beneath ? `/proc/self/fd/${this.fh.fd}` : this.path);
    if (!beneath) await this.recheck();
    return names.sort();
  }

  /** lstat of a child (a link is described, not followed). */
  lstat(name: string): Promise<Stats> {
    return lstat(this.child(name));
  }

  readlink(name: string): Promise<string> {
    return readlink(this.child(name));
  }

  /** The subdirectory the listing saw as `expected`, or a clear refusal. */
  async openDir(name: string, expected: Identity, shown: string): Promise<DirHandle> {
    if (!OPENS_DIRECTORIES) {
      const st = await lstat(this.child(name)).catch(() => undefined);
      if (st === undefined || !st.isDirectory()) throw changed(shown, 'is no longer a folder');
      if (!sameFile(st, expected)) throw changed(shown, 'was replaced');
      return new DirHandle(join(this.path, name), null, st);
    }
    const fh = await this.openChild(name, constants.O_RDONLY | DIRECTORY | NOFOLLOW, shown, 'is no longer a folder');
    const st = await fh.stat();
    if (!st.isDirectory() || !sameFile(st, expected)) {
      await fh.close();
      throw changed(shown, 'was replaced');
    }
    return new DirHandle(join(this.path, name), fh, st);
  }

  /** The regular file the listing saw (same dev, ino and size), opened without following a link. */
  async openFile(name: string, expected: Identity & { readonly size: number }, shown: string): Promise<{ fh: FileHandle; stat: Stats }> {
    const fh = await this.openChild(name, constants.O_RDONLY | NOFOLLOW | NONBLOCK, shown, 'was replaced by a link or removed');
    const st = await fh.stat();
    let problem: string | null = null;
    if (!st.isFile() || !sameFile(st, expected)) problem = 'was replaced';
    else if (st.size !== expected.size) problem = 'changed size';
    if (problem !== null) {
      await fh.close();
      throw changed(shown, problem);
    }
    return { fh, stat: st };
  }

  close(): Promise<void> {
    return this.fh?.close() ?? Promise.resolve();
  }

  private async openChild(name: string, flags: number, shown: string, whenLink: string): Promise<FileHandle> {
    try {
      return await open(this.child(name), flags);
    } catch (err) {
      // ELOOP: O_NOFOLLOW met a link; ENOTDIR: a link or file where a folder was; ENOENT: removed.
      if (['ELOOP', 'ENOTDIR', 'ENOENT', 'EMLINK'].includes(errnoCode(err) ?? '')) throw changed(shown, whenLink);
      throw new MemCloudError(ErrorCodes.BAD_ARGUMENT, `cannot read ${shown}: ${describe(err)}`);
    }
  }

  /** By-path fallback: the directory at our path must still be the one we opened. */
  private async recheck(): Promise<void> {
    const st = await lstat(this.path).catch(() => undefined);
    if (st === undefined || !st.isDirectory() || !sameFile(st, this.identity)) throw changed(this.path, 'was replaced');
  }
}
