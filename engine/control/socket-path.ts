// Where a node's control socket lives, found the same way by the node and by every client.
//
// POSIX: `control.sock` in the home (who may connect is decided by the home's permissions; clients
// check them first: server-check.ts).
// Windows has no Unix sockets in a directory we can lock down, so the node listens on a named pipe.
// A pipe name is global to the machine: a fixed one could be created first by another user, who
// would then receive every client's requests. So each node start picks a random name and publishes
// it in the home (`control.pipe`, readable only by the user, as the home is); clients read it there,
// and another user can neither guess it nor squat it. libuv creates the first instance of a pipe
// with FILE_FLAG_FIRST_PIPE_INSTANCE, so a name already taken makes listen fail instead of sharing
// it. Node offers no way to set the pipe's DACL (libuv passes the default security descriptor).

import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { ErrorCodes, MemCloudError } from '../errors';
import { writeFileAtomic } from '../home/atomic-file';
import { errnoCode } from '../home/fs-errors';
import { homePaths } from '../home/paths';

export const PIPE_PREFIX = '\\\\.\\pipe\\memcloud-';
const PIPE_NAME = /^\\\\\.\\pipe\\memcloud-[0-9a-f]{32}$/;

/** Linux allows 107 bytes in sun_path, macOS 103: stay under the smaller. */
export const MAX_UNIX_SOCKET_PATH = 103;

/** POSIX: the control socket of `home`. (Windows: its pipe name is only in the home; see controlEndpoint.) */
export function controlSocketPath(home: string, platform: NodeJS.Platform = process.platform): string {
  if (platform === 'win32') {
    throw new MemCloudError(ErrorCodes.BAD_ARGUMENT, 'on Windows the control pipe has a random name: use controlEndpoint(home) or MemCloud.connect({ home })');
  }
  return homePaths(home).controlSocket;
}

/** Where a client connects for `home`. Windows: NODE_NOT_RUNNING when no node has published a pipe. */
export async function controlEndpoint(home: string, platform: NodeJS.Platform = process.platform): Promise<string> {
  if (platform !== 'win32') return controlSocketPath(home, platform);
  const file = homePaths(home).controlPipe;
  let text: string;
  try {
    text = (await readFile(file, 'utf8')).trim();
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') throw new MemCloudError(ErrorCodes.NODE_NOT_RUNNING, `no MemCloud node is running for ${home} (no ${file})`);
    throw new MemCloudError(ErrorCodes.HOME_UNUSABLE, `cannot read ${file}: ${errnoCode(err) ?? String(err)}`);
  }
  if (!PIPE_NAME.test(text)) throw new MemCloudError(ErrorCodes.HOME_UNUSABLE, `${file} does not hold a MemCloud pipe name; remove it and start the node again`);
  return text;
}

/** Where the node listens: POSIX the socket path; Windows a fresh random pipe name, published in the home first. */
export async function publishControlEndpoint(home: string, platform: NodeJS.Platform = process.platform): Promise<string> {
  if (platform !== 'win32') return controlSocketPath(home, platform);
  const name = PIPE_PREFIX + randomBytes(16).toString('hex');
  await writeFileAtomic(homePaths(home).controlPipe, `${name}\n`, 0o600);
  return name;
}

export function isNamedPipe(path: string): boolean {
  return path.startsWith(PIPE_PREFIX) || path.startsWith('\\\\?\\pipe\\');
}
