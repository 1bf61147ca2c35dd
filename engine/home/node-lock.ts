// One node per home: node.lock holds the owning process id. A lock whose process is gone is stale
// and taken over; a live one means another node (a terminal or another VS Code window) runs here.

import { open, readFile, rm } from 'node:fs/promises';
import { parseJsonFile } from '../api/json-file';
import { int, obj } from '../api/schema';
import { ErrorCodes, MemCloudError } from '../errors';
import { errnoCode } from './fs-errors';
import { homePaths } from './paths';
import { processExists } from './process-identity';

export interface NodeLock {
  readonly path: string;
  release(): Promise<void>;
}

/** What acquirePidLock writes; extra fields are tolerated, a lock without a usable pid has no owner. */
const lockFile = obj({ pid: int(1, Number.MAX_SAFE_INTEGER) });

async function readOwner(path: string): Promise<number | null> {
  let content: Buffer;
  try {
    content = await readFile(path);
  } catch {
    return null;
  }
  const lock = parseJsonFile(content, lockFile);
  return typeof lock === 'string' ? null : lock.pid;
}

export async function acquireNodeLock(home: string): Promise<NodeLock> {
  return acquirePidLock(homePaths(home).nodeLock, (owner) =>
    owner === null
      ? new MemCloudError(ErrorCodes.NODE_ALREADY_RUNNING, `could not take ${homePaths(home).nodeLock}: another node keeps starting`)
      : new MemCloudError(
          ErrorCodes.NODE_ALREADY_RUNNING,
          `a MemCloud node is already running for ${home} (pid ${owner}); use it (memcloud node status) or stop it (memcloud node stop)`,
        ),
  );
}

/**
 * A lock file holding our pid: taken over when its process is gone. `busy(pid)` when it is alive,
 * `busy(null)` when others keep taking it.
 */
export async function acquirePidLock(path: string, busy: (ownerPid: number | null) => MemCloudError): Promise<NodeLock> {
  const content = JSON.stringify({ pid: process.pid, startedAt: new Date().toISOString() });
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fh = await open(path, 'wx', 0o600);
      await fh.writeFile(content);
      await fh.close();
      return {
        path,
        async release() {
          // Only remove it if it is still ours (never a successor's).
          if ((await readOwner(path)) === process.pid) await rm(path, { force: true });
        },
      };
    } catch (err) {
      if (errnoCode(err) !== 'EEXIST') {
        throw new MemCloudError(ErrorCodes.HOME_UNUSABLE, `cannot create ${path}: ${(err as Error).message}`);
      }
    }
    const owner = await readOwner(path);
    if (owner !== null && owner !== process.pid && processExists(owner)) throw busy(owner);
    await rm(path, { force: true }); // stale: its process is gone
  }
  throw busy(null);
}
