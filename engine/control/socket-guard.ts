// Making the control socket path safe to listen on, and cleaning it up afterwards.
//
// Who may connect is decided by the filesystem: the socket must sit in a directory only we can
// enter (owned by us, no group/other bits), and the socket itself gets mode 0600. The mode is set
// with chmod right after bind, in the same synchronous step as the 'listening' callback, before the
// event loop accepts anything. We do not use umask instead: it is process-wide (it would race with
// other threads creating files) and a worker thread may not change it at all. The remaining window
// between bind and chmod is closed by the directory: nobody else can reach the path at all.

import { connect } from 'node:net';
import { chmodSync, lstatSync } from 'node:fs';
import { lstat, stat, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ErrorCodes, MemCloudError } from '../errors';
import { describe, errnoCode } from '../home/fs-errors';
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
  if (Buffer.byteLength(path) > MAX_UNIX_SOCKET_PATH) {
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

/** Right after bind, before anything is accepted: mode 0600. Returns the file's identity. */
export function secureSocketFile(path: string): SocketFileId | null {
  if (isNamedPipe(path)) return null;
  chmodSync(path, 0o600);
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
    st = await stat(dir);
  } catch (err) {
    throw unusable(dir, `its directory could not be inspected (${describe(err)})`, 'Create the MemCloud home first.');
  }
  if (!st.isDirectory()) throw unusable(dir, 'it is not a directory', 'Choose another MEMCLOUD_HOME.');
  const uid = process.getuid?.();
  if (uid !== undefined && st.uid !== uid) {
    throw unusable(dir, `it is owned by uid ${st.uid}, not by you (uid ${uid})`, 'Run MemCloud as its owner.');
  }
  if ((st.mode & 0o077) !== 0) {
    const mode = (st.mode & 0o777).toString(8);
    throw unusable(dir, `its mode is 0${mode}, so other users could reach the control socket`, `Run: chmod 700 "${dir}"`);
  }
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
  return new MemCloudError(ErrorCodes.HOME_UNUSABLE, `Control socket ${path} is unusable: ${problem}. ${todo}`);
}
