// One node per home: node.lock holds the owning process id and its start time. A lock whose
// process is gone (or is a zombie, or whose pid now belongs to a process started later) is stale
// and taken over; a live one means another node (a terminal or another VS Code window) runs here.

import { open, readFile, rm } from 'node:fs/promises';
import { parseJsonFile } from '../api/json-file';
import { int, obj, text } from '../api/schema';
import { ErrorCodes, MemCloudError } from '../errors';
import { errnoCode } from './fs-errors';
import { homePaths } from './paths';
import { lockOwnerRuns, processStartTime } from './process-identity';

export interface NodeLock {
  readonly path: string;
  release(): Promise<void>;
}

/**
 * What acquirePidLock writes; extra fields are tolerated, a lock without a usable pid has no owner.
 * `processStart` (process-identity.ts) is absent in locks of earlier versions and where it cannot be read.
 */
const lockFile = obj({ pid: int(1, Number.MAX_SAFE_INTEGER) }, { processStart: text(64) });

async function readOwner(path: string): Promise<{ pid: number; processStart: string | undefined } | null> {
  let content: Buffer;
  try {
    content = await readFile(path);
  } catch {
    return null;
  }
  const lock = parseJsonFile(content, lockFile);
  return typeof lock === 'string' ? null : { pid: lock.pid, processStart: lock.processStart };
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
  const processStart = await processStartTime(process.pid);
  const content = JSON.stringify({ pid: process.pid, startedAt: new Date().toISOString(), ...(processStart ? { processStart } : {}) });
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fh = await open(path, 'wx', 0o600);
      await fh.writeFile(content);
      await fh.close();
      return {
        path,
        async release() {
          // Only remove it if it is still ours (never a successor's).
          if ((await readOwner(path))?.pid === process.pid) await rm(path, { force: true });
        },
      };
    } catch (err) {
      if (errnoCode(err) !== 'EEXIST') {
        throw new MemCloudError(ErrorCodes.HOME_UNUSABLE, `cannot create ${path}: ${(err as Error).message}`);
      }
    }
    const owner = await readOwner(path);
    if (owner !== null && owner.pid !== process.pid && (await lockOwnerRuns(owner.pid, owner.processStart))) throw busy(owner.pid);
    await rm(path, { force: true }); // stale: its process is gone
  }
  throw busy(null);
}
