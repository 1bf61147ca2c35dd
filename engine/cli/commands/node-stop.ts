// memcloud node stop: asks the node over its control socket to leave gracefully, and waits until it
// is gone. A process is signalled only when it is provably the node: the pid the node reports over
// the socket, the same pid in node.pid, and the same process start time before the signal as when
// the node answered. A stale node.pid (its pid now someone else's) is never signalled.

import { readFileSync } from 'node:fs';
import { homePaths } from '../../home/paths';
import { processExists, processStartTime } from '../../home/process-identity';
import { displayText } from '../../text/display-text';
import { tryClient } from '../client';
import type { Command } from '../command';

const STOP_TIMEOUT_MS = 40_000;

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function readPidFile(home: string): number | null {
  try {
    const pid = Number(readFileSync(homePaths(home).nodePid, 'utf8').trim());
    return Number.isSafeInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** Still the process that answered as the node: same pid and, where it can be read, same start time. */
async function stillTheNode(pid: number, startTime: string | undefined): Promise<boolean> {
  if (!processExists(pid)) return false;
  return startTime === undefined || (await processStartTime(pid)) === startTime;
}

export const nodeStopCommand: Command = {
  path: ['node', 'stop'],
  summary: 'Stop the node gracefully (peers are told first so owners re-replicate).',
  async run(ctx) {
    const client = await tryClient(ctx);
    if (!client) {
      ctx.out.write(`no node is running for ${ctx.home}\n`);
      return 0;
    }
    const closed = new Promise<void>((resolve) => client.onClose(() => resolve()));
    const status = await client.status();
    // Only a node started from the command line owns node.pid; a VS Code window hosting the node
    // reports its own pid, which must never be signalled (nor waited for: the window stays).
    const ownProcess = readPidFile(ctx.home) === status.pid;
    const startTime = ownProcess ? await processStartTime(status.pid) : undefined;
    const deadline = Date.now() + STOP_TIMEOUT_MS;
    // What the node could not hand back while leaving (blocks it holds for others) is said here.
    const leaveNotes: string[] = [];
    client.subscribe((e) => {
      if (e.type === 'log' && e.entry.message.startsWith('leave: ')) leaveNotes.push(e.entry.message);
    });
    await client.subscribed().catch(() => undefined);
    await client.shutdown().catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    const disconnected = await Promise.race([closed.then(() => true), new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), STOP_TIMEOUT_MS)))]);
    clearTimeout(timer);
    await client.close();
    if (ownProcess) {
      while (Date.now() < deadline && (await stillTheNode(status.pid, startTime))) await sleep(100);
    }
    const stopped = ownProcess ? !(await stillTheNode(status.pid, startTime)) : disconnected;
    if (!stopped) {
      if (ownProcess && startTime !== undefined) {
        process.kill(status.pid, 'SIGTERM');
        ctx.err.write(`memcloud: the node did not stop within ${STOP_TIMEOUT_MS / 1000} s; sent SIGTERM to pid ${status.pid}\n`);
      } else {
        ctx.err.write(`memcloud: the node (pid ${status.pid}) did not stop within ${STOP_TIMEOUT_MS / 1000} s\n`);
      }
      return 1;
    }
    for (const note of leaveNotes) ctx.err.write(`memcloud: ${displayText(note, 'terminal')}\n`);
    ctx.out.write(`stopped node "${status.name}" (pid ${status.pid})\n`);
  },
};
