// Making the control socket path safe to listen on, and cleaning it up afterwards.
//
// Who may connect is decided by the filesystem: the socket must sit in a directory only we can
// enter (owned by us, no group/other bits: home/private-dir.ts), and the socket itself gets mode
// 0600. It is bound under a temporary name, chmod'ed, then renamed into place, so nobody (our own
// clients check the mode too: server-check.ts) ever sees control.sock with another mode. We do not
// use umask instead: it is process-wide (it would race with other threads creating files) and a
// worker thread may not change it at all.

import { connect } from 'node:net';
import { randomBytes } from 'node:crypto';
import { chmodSync, linkSync, lstatSync, renameSync, unlinkSync } from 'node:fs';
import { lstat, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ErrorCodes, MemCloudError } from '../errors';
import { describe, errnoCode } from '../home/fs-errors';
import { currentUid, privateDirProblem } from '../home/private-dir';
import { MAX_UNIX_SOCKET_PATH, isNamedPipe } from './socket-path';

const PROBE_TIMEOUT_MS = 1000;

/** Identifies the socket file we created, so close() never removes someone else's. */
export interface SocketFileId {
  readonly dev: number;
  readonly ino: number;
}

/** Before listen: refuse unsafe places, refuse a live node, remove a stale socket file. */
export async function prepareSocketPath(path: string): Promise<void> {
  if (isNamedPipe(path)) return; // pipes vanish with their process; a live one fails listen()
  if (Buffer.byteLength(bindPathFor(path)) > MAX_UNIX_SOCKET_PATH || Buffer.byteLength(path) > MAX_UNIX_SOCKET_PATH) {
    throw unusable(path, `the path is longer than ${MAX_UNIX_SOCKET_PATH} bytes`, 'Choose a shorter MEMCLOUD_HOME.');
  }
  await checkPrivateDirectory(dirname(path));
  const st = await lstatOrUndefined(path);
  if (st === undefined) return;
  if (!st.isSocket()) throw unusable(path, 'it exists and is not a socket', 'Move it aside.');
  if (await answers(path)) {
    throw new MemCloudError(ErrorCodes.NODE_ALREADY_RUNNING, `a MemCloud node is already running on ${path}`);
  }
  try {
    await unlink(path);
  } catch (err) {
    if (errnoCode(err) !== 'ENOENT') throw unusable(path, `the stale socket could not be removed (${describe(err)})`, 'Remove it by hand.');
  }
}

/** Where to bind: a temporary name beside the socket (no longer than control.sock), or the pipe itself. */
export function bindPathFor(path: string): string {
  return isNamedPipe(path) ? path : join(dirname(path), `.ctl-${randomBytes(3).toString('hex')}`);
}

/**
 * Right after bind, before anything is accepted: mode 0600, then the socket takes its real name.
 * Returns the file's identity. (Closing the server later unlinks the temporary name, long gone.)
 */
export function secureSocketFile(bound: string, path: string): SocketFileId | null {
  if (isNamedPipe(path)) return null;
  chmodSync(bound, 0o600);
  try {
    linkSync(bound, path); // unlike rename, never replaces a socket another node put there meanwhile
    unlinkSync(bound);
  } catch (err) {
    if (errnoCode(err) === 'EEXIST') {
      unlinkSync(bound);
      throw new MemCloudError(ErrorCodes.NODE_ALREADY_RUNNING, `a MemCloud node is already running on ${path}`);
    }
    renameSync(bound, path); // a filesystem without hard links; the home's node lock keeps others out
  }
  const st = lstatSync(path);
  return { dev: st.dev, ino: st.ino };
}

/** Removes the socket file if it is still the one we created. */
export async function removeSocketFile(path: string, id: SocketFileId | null): Promise<void> {
  if (id === null) return;
  const st = await lstatOrUndefined(path).catch(() => undefined);
  if (st === undefined || st.dev !== id.dev || st.ino !== id.ino) return;
  await unlink(path).catch(() => undefined);
}

async function checkPrivateDirectory(dir: string): Promise<void> {
  let st;
  try {
    st = await lstat(dir);
  } catch (err) {
    throw unusable(dir, `its directory could not be inspected (${describe(err)})`, 'Create the MemCloud home first.');
  }
  const problem = privateDirProblem(st, currentUid(), dir);
  if (problem !== undefined) throw unusable(dir, problem, '');
}

/** True if something accepts connections on the socket (a live node); false if it is stale. */
function answers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = connect(path);
    const done = (alive: boolean): void => {
      clearTimeout(timer);
      probe.destroy();
      resolve(alive);
    };
    // A listener that never answers is treated as alive: better refuse than steal its socket.
    const timer = setTimeout(() => done(true), PROBE_TIMEOUT_MS);
    timer.unref();
    probe.once('connect', () => done(true));
    probe.once('error', (err) => done(!['ECONNREFUSED', 'ENOENT'].includes(errnoCode(err) ?? '')));
  });
}

async function lstatOrUndefined(path: string): Promise<import('node:fs').Stats | undefined> {
  try {
    return await lstat(path);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return undefined;
    throw err;
  }
}

function unusable(path: string, problem: string, todo: string): MemCloudError {
  return new MemCloudError(ErrorCodes.HOME_UNUSABLE, `Control socket ${path} is unusable: ${problem}.${todo ? ` ${todo}` : ''}`);
}
