// Telling one process from another that later got the same pid: its start time. Read from
// /proc/<pid>/stat on Linux (field 22, clock ticks after boot) and from `ps -o lstart=` elsewhere on
// POSIX; unknown on Windows. A caller that cannot tell must not signal.

import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';

/** The process's start time as an opaque string, or undefined (no such process, or no way to tell). */
export async function processStartTime(pid: number): Promise<string | undefined> {
  if (!Number.isSafeInteger(pid) || pid <= 0) return undefined;
  if (process.platform === 'linux') return linuxStartTime(pid);
  if (process.platform === 'win32') return undefined;
  return psStartTime(pid);
}

async function linuxStartTime(pid: number): Promise<string | undefined> {
  return (await linuxStat(pid))?.startTime;
}

/** State (R, S, Z, ...) and start time from one read of /proc/<pid>/stat; undefined when it is gone. */
async function linuxStat(pid: number): Promise<{ state: string; startTime: string | undefined } | undefined> {
  let stat: string;
  try {
    stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // "pid (comm) state ppid ...": comm may contain spaces and parentheses, so count from the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const start = fields[19]; // field 22 overall; fields[0] is field 3 (state)
  return { state: fields[0] ?? '', startTime: start !== undefined && /^\d+$/.test(start) ? start : undefined };
}

function psStartTime(pid: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile('ps', ['-o', 'lstart=', '-p', String(pid)], { timeout: 5000 }, (err, stdout) => {
      const text = err ? '' : stdout.trim();
      resolve(text === '' ? undefined : text);
    });
  });
}

/** True while a process with this pid exists (ours or, with EPERM, another user's). */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether the process that wrote a lock still runs: the pid exists, is not a zombie (killed, not yet
 * reaped by its parent), and, when the lock recorded its start time, started then (a pid reused
 * after a crash or a reboot belongs to someone else). When the start time cannot be read, the pid
 * alone decides, as before.
 */
export async function lockOwnerRuns(pid: number, startTime: string | undefined): Promise<boolean> {
  if (!processExists(pid)) return false;
  if (process.platform === 'linux') {
    const stat = await linuxStat(pid);
    if (stat === undefined || stat.state === 'Z') return false;
    return startTime === undefined || stat.startTime === undefined || stat.startTime === startTime;
  }
  if (startTime === undefined) return true;
  const now = await processStartTime(pid);
  return now === undefined || now === startTime;
}
