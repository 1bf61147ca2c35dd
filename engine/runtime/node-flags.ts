// The flags a MemCloud node process starts with, ahead of its script: `memcloud node start` and the
// harness of the tests, demo and benchmarks launch `node run` with them. They must be on the command
// line: V8 sets up its threads and garbage collector when the process starts (GC flags changed later
// with v8.setFlagsFromString crashed a process at its next collection).
//
// A node moves MiBs of Buffers a second through a heap of ~13 MiB of objects (docs/performance.md,
// "Garbage collection in the node process"):
// --no-concurrent-array-buffer-sweeping: V8 frees dead Buffers' memory at the end of each collection
//   instead of on a helper thread later. Freed later, that memory still counted as allocated when
//   V8 next weighed whether to collect, so a push set off a full collection every 25-50 ms (~80 in
//   3 s in the owner); freed at once, one. A 512 MiB push: owner CPU per MiB ~6 -> ~4.7 ms, peak
//   memory unchanged.
// --v8-pool-size: V8's helper threads (marking, scavenging, background compiles), at most one per
//   core the process does not already keep busy. On 2 cores V8's default 4 helpers competed with the
//   node's own threads, its client and its peers for the cores: 1 helper pushed ~10% faster.
//
// The first is V8's flag, not Node's: a Node.js whose V8 no longer has it would refuse to start
// ("bad option"), so it is passed only where this Node.js accepts it (asked once per process).

import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';

/** V8's own default number of helper threads. */
const V8_DEFAULT_HELPERS = 4;
const SWEEP_AT_ONCE = '--no-concurrent-array-buffer-sweeping';

const accepted = new Map<string, boolean>();

/** Whether this Node.js starts with `flag` (it exits with "bad option" on a flag it does not know). */
export function nodeAccepts(flag: string): boolean {
  let ok = accepted.get(flag);
  if (ok === undefined) {
    const r = spawnSync(process.execPath, [flag, '-e', '0'], { stdio: 'ignore', timeout: 10_000 });
    ok = r.status === 0;
    accepted.set(flag, ok);
  }
  return ok;
}

/** The flags for a node process on a machine with `cores` cores (this one's by default). */
export function nodeProcessFlags(cores: number = availableParallelism(), accepts: (flag: string) => boolean = nodeAccepts): readonly string[] {
  const helpers = Math.max(1, Math.min(V8_DEFAULT_HELPERS, Math.floor(cores) - 1));
  return [`--v8-pool-size=${helpers}`, ...(accepts(SWEEP_AT_ONCE) ? [SWEEP_AT_ONCE] : [])];
}
