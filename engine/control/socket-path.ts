// Where a node's control socket lives, derived from its home the same way by the node and by
// every client: `control.sock` in the home on POSIX; on Windows (no Unix sockets in a directory
// we can lock down) a named pipe whose name is a hash of the home, so each home has its own.

import { createHash } from 'node:crypto';
import { win32 } from 'node:path';
import { homePaths } from '../home/paths';

export const PIPE_PREFIX = '\\\\.\\pipe\\memcloud-';

/** Linux allows 107 bytes in sun_path, macOS 103: stay under the smaller. */
export const MAX_UNIX_SOCKET_PATH = 103;

export function controlSocketPath(home: string, platform: NodeJS.Platform = process.platform): string {
  if (platform === 'win32') {
    // Windows paths are case-insensitive: C:\Users\A and c:\users\a are one home, one pipe.
    const key = win32.resolve(home).toLowerCase();
    return PIPE_PREFIX + createHash('sha256').update(key, 'utf8').digest('hex').slice(0, 32);
  }
  return homePaths(home).controlSocket;
}

export function isNamedPipe(path: string): boolean {
  return path.startsWith(PIPE_PREFIX) || path.startsWith('\\\\?\\pipe\\');
}
