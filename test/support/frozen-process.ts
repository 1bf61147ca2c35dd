// What the kernel says about a process a fault test froze (SIGSTOP) or killed: each thread's
// state from /proc, or how the process ended; for failures that explain themselves.

import type { ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** The state letter of /proc/<pid>/stat or /proc/<pid>/task/<tid>/stat (R, S, D, T, t, Z, ...); null when gone. */
function stateIn(statFile: string): string | null {
  let text: string;
  try {
    text = readFileSync(statFile, 'utf8');
  } catch {
    return null;
  }
  // "pid (comm) S ...": comm may hold spaces and parentheses, so the state follows the last ')'.
  return text.slice(text.lastIndexOf(')') + 2, text.lastIndexOf(')') + 3) || null;
}

/** Each thread's state, e.g. { 4711: 'T', 4712: 'T' }; empty when the process is gone. */
export function threadStates(pid: number): Record<number, string> {
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return {};
  }
  const out: Record<number, string> = {};
  for (const tid of tids) {
    const s = stateIn(`/proc/${pid}/task/${tid}/stat`);
    if (s !== null) out[Number(tid)] = s;
  }
  return out;
}

/** Every thread of `pid` is stopped by a signal (T): nothing of the process runs until SIGCONT. */
export function isFrozen(pid: number): boolean {
  const states = Object.values(threadStates(pid));
  return states.length > 0 && states.every((s) => s === 'T');
}

/** One line on a child process: how it ended, or its threads' states while it runs. */
export function describeProcess(child: ChildProcess): string {
  if (child.exitCode !== null) return `pid ${child.pid} exited with code ${child.exitCode}`;
  if (child.signalCode !== null) return `pid ${child.pid} was killed by ${child.signalCode}`;
  const states = threadStates(child.pid!);
  const counts = new Map<string, number>();
  for (const s of Object.values(states)) counts.set(s, (counts.get(s) ?? 0) + 1);
  const summary = [...counts].map(([s, n]) => `${n} ${s}`).join(', ');
  return `pid ${child.pid} running (process ${stateIn(`/proc/${child.pid}/stat`) ?? 'gone'}; threads: ${summary || 'none'})`;
}

/** Sends SIGCONT (harmless when the process runs or is gone). */
export function thaw(child: ChildProcess): void {
  child.kill('SIGCONT');
}
