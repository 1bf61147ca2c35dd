// CPU time a process (all its threads) has used, from /proc/PID/stat: on a shared machine, CPU
// microseconds per operation move far less than operations per second, so the engine bench prints
// both (docs/performance.md). Linux only; NaN elsewhere.

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let ticksPerSecond: number | undefined;

function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    const n = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim());
    ticksPerSecond = Number.isFinite(n) && n > 0 ? n : 100;
  }
  return ticksPerSecond;
}

/** User + system CPU microseconds process `pid` has used so far (NaN when /proc cannot say). */
export function processCpuUs(pid: number): number {
  try {
    // Fields after the command name (which may hold spaces, so split after its closing paren).
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1e6) / clockTicks();
  } catch {
    return NaN;
  }
}

/** This process's own user + system CPU microseconds. */
export function ownCpuUs(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}
