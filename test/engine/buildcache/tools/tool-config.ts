// The build-cache settings of the real-tool tests. The read deadline is generous here: these tests
// check that real tools hit entries stored in a peer's RAM, on a machine shared with other test
// processes, where a 100 ms deadline would turn scheduling delays into misses. The deadline itself
// is tested with a frozen peer (test/engine/buildcache/faults.test.ts); the benchmark runs with the
// default.
export const TOOL_TEST_CACHE = { enabled: false, deadlineMs: 5000 } as const;
