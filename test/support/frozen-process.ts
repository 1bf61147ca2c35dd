// Freezing a real process (SIGSTOP) for fault tests, and what the kernel says about a process.
//
// kill() only queues SIGSTOP. The stop begins when one thread of the process (the main thread,
// woken from its event loop) runs the kernel's signal path; only then are the other threads told
// to stop, each at its next return from the kernel. On a loaded machine that first thread may
// wait for a CPU while another thread (a node's engine worker, woken by a request from a peer)
// reads the request and answers it. A test that judges behaviour "while the process is frozen"
// first waits until the kernel reports every thread stopped.

import type { ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { eventually } from './eventually';

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

/** Sends SIGSTOP and resolves once every thread is stopped; rejects if the process ends instead. */
export async function freeze(child: ChildProcess): Promise<void> {
  if (!child.kill('SIGSTOP')) throw new Error(`SIGSTOP could not be sent: ${describeProcess(child)}`);
  try {
    await eventually(`pid ${child.pid} to be stopped`, () => {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the process ended instead of stopping`);
      return isFrozen(child.pid!);
    });
  } catch (err) {
    throw new Error(`${(err as Error).message}: ${describeProcess(child)}`);
  }
}

/** Sends SIGCONT (harmless when the process runs or is gone). */
export function thaw(child: ChildProcess): void {
  child.kill('SIGCONT');
}
