// Before a local client (CLI, SDK, VS Code) connects: is the control socket served by this user?
//
// The node's own rule (home/private-dir.ts), checked from the outside with lstat: the home is a
// directory, not a link, owned by us with no group or other bits, and the socket in it is a socket,
// not a link, owned by us, mode 0600. Only we can create or replace anything in such a directory,
// so the socket we then connect to is one a process of ours created. (Node has no SO_PEERCRED; this
// filesystem check is the baseline, and covers macOS too.) Windows pipes: see socket-path.ts.

import { lstat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { dirname } from 'node:path';
import { ErrorCodes, MemCloudError } from '../errors';
import { describe, errnoCode } from '../home/fs-errors';
import { checksPosixPermissions } from '../home/home';
import { currentUid, ownSocketProblem, privateDirProblem } from '../home/private-dir';
import { isNamedPipe } from './socket-path';

async function lstatOrUndefined(path: string): Promise<Stats | undefined> {
  try {
    return await lstat(path);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return undefined;
    throw new MemCloudError(ErrorCodes.HOME_UNUSABLE, `cannot inspect ${path} (${describe(err)})`);
  }
}

function notRunning(path: string): MemCloudError {
  return new MemCloudError(ErrorCodes.NODE_NOT_RUNNING, `no MemCloud node is running (nothing listens on ${path})`);
}

/**
 * Resolves when `path` may be connected to. NODE_NOT_RUNNING when there is no home or no socket;
 * HOME_UNUSABLE, saying why, when something is there that this user's node would not have made.
 */
export async function checkServerSocket(path: string): Promise<void> {
  if (isNamedPipe(path)) return;
  const uid = checksPosixPermissions ? currentUid() : undefined;
  const home = dirname(path);
  const dir = await lstatOrUndefined(home);
  if (dir === undefined) throw notRunning(path);
  const dirProblem = privateDirProblem(dir, uid, home);
  if (dirProblem !== undefined) {
    throw new MemCloudError(ErrorCodes.HOME_UNUSABLE, `Refusing to talk to the node of ${home}: ${dirProblem}.`);
  }
  const socket = await lstatOrUndefined(path);
  if (socket === undefined) throw notRunning(path);
  const socketProblem = ownSocketProblem(socket, uid);
  if (socketProblem !== undefined) {
    throw new MemCloudError(ErrorCodes.HOME_UNUSABLE, `Refusing to connect to ${path}: ${socketProblem}. Only a node run by you may serve it.`);
  }
}
