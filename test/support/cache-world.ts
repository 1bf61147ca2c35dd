// Two real node processes for build-cache tests: "owner" runs the build-cache endpoint (opened with
// `memcloud cache start`), "lender" holds the entries in its RAM. Both trust each other and are
// connected before the world is handed out.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BuildCacheStatus } from '../../engine/api/build-cache-types';
import type { Stats } from '../../engine/api/types';
import { CLI, cli, startNode, type RunningNode } from './node-process';

export interface CliResult {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

export interface CacheWorld {
  readonly root: string;
  readonly ownerHome: string;
  readonly owner: RunningNode;
  readonly lender: RunningNode;
  readonly url: string;
  readonly token: string;
  /** What `memcloud cache env --shell json` gives: the tools' variables. */
  readonly vars: Readonly<Record<string, string>>;
  readonly bazelFlags: readonly string[];
  readonly gradleInitScript: string;
  mc(args: readonly string[], home?: string): CliResult;
  cacheStats(): BuildCacheStatus;
  lenderStats(): Stats;
  close(): Promise<void>;
}

function keyOf(home: string): string {
  return (JSON.parse(cli(home, ['id', '--json'])) as { publicKey: string }).publicKey;
}

export interface CacheWorldOptions {
  /** config.json "buildCache" of the owner (its endpoint is opened with `memcloud cache start` either way). */
  readonly buildCache?: Record<string, unknown>;
  /** Extra `node run` flags for the owner, e.g. --log-level debug. */
  readonly ownerArgs?: readonly string[];
}

export async function createCacheWorld(opts: CacheWorldOptions = {}): Promise<CacheWorld> {
  const root = mkdtempSync('/tmp/mc-bc-');
  const ownerHome = join(root, 'owner');
  const lenderHome = join(root, 'lender');
  const started: RunningNode[] = [];
  try {
    const ownerKey = keyOf(ownerHome);
    const lenderKey = keyOf(lenderHome);
    cli(ownerHome, ['trust', 'add', lenderKey, '--name', 'lender']);
    cli(lenderHome, ['trust', 'add', ownerKey, '--name', 'owner']);
    if (opts.buildCache) writeFileSync(join(ownerHome, 'config.json'), JSON.stringify({ buildCache: { enabled: false, ...opts.buildCache } }));
    const lender = await startNode('lender', lenderHome);
    started.push(lender);
    const owner = await startNode('owner', ownerHome, ['--connect', `127.0.0.1:${lender.port}`, ...(opts.ownerArgs ?? [])]);
    started.push(owner);
    await owner.waitFor(/session established with lender/);
    const mc = (args: readonly string[], home = ownerHome): CliResult => {
      const r = spawnSync(process.execPath, [CLI, ...args, '--home', home], { encoding: 'utf8', timeout: 60_000 });
      return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
    };
    const start = mc(['cache', 'start']);
    if (start.code !== 0) throw new Error(`memcloud cache start failed: ${start.err}`);
    const env = JSON.parse(mc(['cache', 'env', '--shell', 'json']).out) as { url: string; vars: Record<string, string>; bazelFlags: string[]; gradleInitScript: string };
    return {
      root,
      ownerHome,
      owner,
      lender,
      url: env.url,
      token: env.vars.TURBO_TOKEN!,
      vars: env.vars,
      bazelFlags: env.bazelFlags,
      gradleInitScript: env.gradleInitScript,
      mc,
      cacheStats: () => JSON.parse(mc(['cache', 'stats', '--json']).out) as BuildCacheStatus,
      lenderStats: () => JSON.parse(mc(['stats', '--json'], lenderHome).out) as Stats,
      async close() {
        await Promise.all(started.map((n) => n.stop()));
        rmSync(root, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await Promise.all(started.map((n) => n.stop()));
    rmSync(root, { recursive: true, force: true });
    throw err;
  }
}
