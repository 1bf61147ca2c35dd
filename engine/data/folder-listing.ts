// What a folder offload will store: every directory, regular file and symbolic link under the root,
// depth first in a stable order, each with the dev/ino the read must find again. Directories are
// walked through open handles (dir-handle.ts), so a directory swapped for a link during the walk is
// never entered. Links are kept as links (their target text), never followed. Other kinds (FIFOs,
// sockets, devices) cannot be stored: they are reported as skipped.

import { join, posix } from 'node:path';
import { DirHandle, type Identity } from './dir-handle';

export interface FolderEntryBase extends Identity {
  /** Relative to the root, '/'-separated; '.' is the root itself. */
  readonly path: string;
  /** Permission bits, st_mode & 0o7777 (restored masked, see folder-unpack.ts). */
  readonly mode: number;
  /** Seconds since the epoch. */
  readonly mtime: number;
}

export type FolderEntry =
  | (FolderEntryBase & { readonly type: 'dir' })
  | (FolderEntryBase & { readonly type: 'file'; readonly size: number })
  | (FolderEntryBase & { readonly type: 'symlink'; readonly target: string });

export interface FolderListing {
  /** The folder as the user named it (a link there was followed once, at listing). */
  readonly root: string;
  /** The root first ('.'), then its contents depth first, names sorted. */
  readonly entries: readonly FolderEntry[];
  /** Relative paths of what cannot be stored (FIFOs, sockets, devices). */
  readonly skipped: readonly string[];
}

export async function listFolder(root: string): Promise<FolderListing> {
  const entries: FolderEntry[] = [];
  const skipped: string[] = [];
  const { dir, stat } = await DirHandle.openRoot(root);
  entries.push({ path: '.', type: 'dir', mode: stat.mode & 0o7777, mtime: Math.floor(stat.mtimeMs / 1000), dev: stat.dev, ino: stat.ino });
  async function walk(handle: DirHandle, rel: string): Promise<void> {
    for (const name of await handle.names()) {
      const path = rel === '.' ? name : posix.join(rel, name);
      const st = await handle.lstat(name);
      const base = { path, mode: st.mode & 0o7777, mtime: Math.floor(st.mtimeMs / 1000), dev: st.dev, ino: st.ino };
      if (st.isDirectory()) {
        entries.push({ ...base, type: 'dir' });
        const sub = await handle.openDir(name, st, join(root, path));
        try {
          await walk(sub, path);
        } finally {
          await sub.close();
        }
      } else if (st.isFile()) {
        entries.push({ ...base, type: 'file', size: st.size });
      } else if (st.isSymbolicLink()) {
        entries.push({ ...base, type: 'symlink', target: await handle.readlink(name) });
      } else {
        skipped.push(path);
      }
    }
  }
  try {
    await walk(dir, '.');
  } finally {
    await dir.close();
  }
  return { root, entries, skipped };
}
