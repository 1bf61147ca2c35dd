// The world of each real-tool test: its tool checked (or installed, for the npm ones), then an owner
// node with the endpoint and a lender node, as separate processes.
//
// The read deadline is generous here: these tests check that real tools hit entries stored in a
// peer's RAM, on a machine shared with other test processes, where a 100 ms deadline would turn
// scheduling delays into misses. The deadline itself is tested with a frozen peer
// (test/engine/buildcache/faults.test.ts); the benchmark runs with the default.

import { after, before } from 'node:test';
import { stripVTControlCharacters } from 'node:util';
import { createCacheWorld, type CacheWorld } from '../../../support/cache-world';

export const TOOL_TEST_CACHE = { enabled: false, deadlineMs: 5000 } as const;

/**
 * The environment for a tool run: the caller's, with colour asked off. Tools colour their output when
 * CI or FORCE_COLOR says so (Nx then writes `nx run\x1b[22m alpha:build`); the assertions read text.
 */
export function toolEnv(extra: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra, NO_COLOR: '1', FORCE_COLOR: '0', TERM: 'dumb' };
  return env;
}

/** A tool's output as plain text: ANSI escape sequences (colours, cursor moves) removed. */
export function plainText(output: string): string {
  return stripVTControlCharacters(output);
}

/** Registers before/after hooks; `world` is there once the tests run. */
export function useToolWorld(checkTools: () => unknown): { readonly world: CacheWorld } {
  const holder = {} as { world: CacheWorld };
  before(async () => {
    await checkTools();
    holder.world = await createCacheWorld({ buildCache: TOOL_TEST_CACHE });
  });
  after(async () => {
    await holder.world?.close();
  });
  return holder;
}
