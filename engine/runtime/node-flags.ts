// The flags a MemCloud node process starts with, ahead of its script: `memcloud node start` and the
// harness of the tests, demo and benchmarks launch `node run` with them. They must be on the command
// line: V8 sets up its threads and garbage collector when the process starts (the GC flags, changed
// later with v8.setFlagsFromString, crashed a process at its next collection).
//
// --v8-pool-size: V8's helper threads (concurrent marking, parallel scavenges, background compiles),
// at most one per core the process does not already keep busy. Moving MiBs of Buffers a second makes
// V8 collect a node's small heap tens of times a second; with V8's default of 4 helpers on a 2-core
// machine, each collection woke them all to compete with the node's own threads, its client and its
// peers. Measured on 2 cores (docs/performance.md, "Garbage collection in the node process"): with 1
// helper a 512 MiB push costs the owner ~15% less CPU per MiB and runs ~1.25x as fast, at the same
// peak memory. (--single-threaded-gc did more for CPU, but collected so much less often that the
// owner's peak memory rose by ~70 MiB in a 256 MiB build-cache transfer.)

import { availableParallelism } from 'node:os';

/** V8's own default number of helper threads. */
const V8_DEFAULT_HELPERS = 4;

/** The flags for a node process on a machine with `cores` cores (this one's by default). */
export function nodeProcessFlags(cores: number = availableParallelism()): readonly string[] {
  const helpers = Math.max(1, Math.min(V8_DEFAULT_HELPERS, Math.floor(cores) - 1));
  return [`--v8-pool-size=${helpers}`];
}
