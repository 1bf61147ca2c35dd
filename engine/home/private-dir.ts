// The one rule for the home (it holds the identity key and the control socket), applied by the node
// to itself and by every local client before it talks to the node: the path itself (never a
// symbolic link: lstat) is a directory owned by this user with no group or other permission bits.

import type { Stats } from 'node:fs';

/** The current user's uid; undefined where POSIX ownership does not apply (Windows). */
export function currentUid(): number | undefined {
  return process.platform === 'win32' ? undefined : process.getuid?.();
}

/** Why `st` (from lstat) is not a private directory of `uid`, with what to do; undefined if it is. */
export function privateDirProblem(st: Stats, uid: number | undefined, path: string): string | undefined {
  if (st.isSymbolicLink()) {
    return 'it is a symbolic link, and MemCloud does not follow a linked home. Use the directory it points to (--home or MEMCLOUD_HOME)';
  }
  if (!st.isDirectory()) return 'it exists but is not a directory. Move that file aside, or choose another home with MEMCLOUD_HOME';
  if (uid === undefined) return undefined;
  if (st.uid !== uid) {
    return `it is owned by uid ${st.uid}, not by you (uid ${uid}). Run MemCloud as the owner of that directory, or choose another home with MEMCLOUD_HOME`;
  }
  if ((st.mode & 0o077) !== 0) {
    return `its mode is 0${(st.mode & 0o777).toString(8)}, so other users can reach what is in it. Run: chmod 700 "${path}"`;
  }
  return undefined;
}

/** Why `st` (from lstat) is not a socket served by `uid`; undefined if it is. */
export function ownSocketProblem(st: Stats, uid: number | undefined): string | undefined {
  if (st.isSymbolicLink()) return 'it is a symbolic link, not the socket a node creates';
  if (!st.isSocket()) return 'it is not a socket';
  if (uid === undefined) return undefined;
  if (st.uid !== uid) return `it belongs to uid ${st.uid}, not to you (uid ${uid}): another user's program serves it`;
  // Ownership is what proves who made it (only we can create files in the home); a socket others may
  // write to is refused too. (A node's is 0600; a stale one from a crash may carry the umask's mode.)
  if ((st.mode & 0o022) !== 0) return `its mode is 0${(st.mode & 0o777).toString(8)}: others may write to it; a node's socket is 0600`;
  return undefined;
}
