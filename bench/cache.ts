// npm run bench:cache [-- --json] [-- --rounds N]: build caches in a peer's RAM against a cold build
// and a warm local cache, with real ccache and Turborepo on generated projects, the owner node and
// its lender as separate processes (method: /work/shared/docs/build-cache-notes.md). Rounds are
// interleaved (cold, local, remote, with the order rotating); each run is checked from the tool's
// own counters. savings = (cold - remote) / (cold - local): 1.0 means the pool is as good as a
// local cache. get_p50_ms: a 1 MiB artifact read from the peer through the endpoint.

import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { NPM_TOOLS_BIN, NPM_TOOLS_MODULES, prepareNpmTools, requireDebianTool } from '../scripts/buildtools/prepare.mjs';
import { createCacheWorld, type CacheWorld } from '../test/support/cache-world';
import { httpRequest } from '../test/support/http-client';
import { writeCProject, writeTurboRepo } from './cache-projects';

const C_UNITS = 40;
const TURBO_PACKAGES = 6;
const UNITS_PER_PACKAGE = 3;
const GETS = 100;

type Mode = 'cold' | 'local' | 'remote';
const MODES: readonly Mode[] = ['cold', 'local', 'remote'];

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function run(cmd: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): { seconds: number; output: string } {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', timeout: 900_000 });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
  return { seconds, output: r.stdout + r.stderr };
}

function ccacheStat(dir: string, name: string): number {
  const out = run('ccache', ['--print-stats'], dir, { ...process.env, CCACHE_DIR: dir }).output;
  const m = new RegExp(`^${name}\\t(\\d+)$`, 'm').exec(out);
  return m ? Number(m[1]) : 0;
}

interface Timings extends Record<Mode, number[]> {
  /** Remote runs that were all remote hits (ccache) or FULL TURBO (turbo): a run below is reported, not hidden. */
  complete: number;
}

function benchCcache(world: CacheWorld, rounds: number, log: (s: string) => void): Timings {
  const dir = join(world.root, 'c');
  writeCProject(dir, C_UNITS);
  const warm = join(world.root, 'ccache-warm');
  const remoteEnv = { CCACHE_REMOTE_STORAGE: world.vars.CCACHE_REMOTE_STORAGE! };
  const make = (env: NodeJS.ProcessEnv) => {
    run('make', ['clean'], dir, process.env);
    return run('make', ['-j2'], dir, { ...process.env, CC: 'ccache gcc', CCACHE_NOHASHDIR: '1', ...env }).seconds;
  };
  make({ CCACHE_DIR: warm, ...remoteEnv }); // populate: the warm local cache and the pool
  const times: Timings = { cold: [], local: [], remote: [], complete: 0 };
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < MODES.length; i++) {
      const mode = MODES[(i + r) % MODES.length]!;
      const fresh = join(world.root, `ccache-${r}-${mode}`);
      rmSync(fresh, { recursive: true, force: true });
      if (mode === 'local') run('ccache', ['-z'], dir, { ...process.env, CCACHE_DIR: warm });
      const seconds =
        mode === 'cold' ? make({ CCACHE_DISABLE: '1' }) : mode === 'local' ? make({ CCACHE_DIR: warm }) : make({ CCACHE_DIR: fresh, ...remoteEnv });
      if (mode === 'local' && ccacheStat(warm, 'local_storage_hit') !== C_UNITS) throw new Error('ccache: the local run was not all local hits');
      let note = '';
      if (mode === 'remote') {
        const hits = ccacheStat(fresh, 'remote_storage_hit');
        if (hits === C_UNITS) times.complete++;
        note = ` (${hits}/${C_UNITS} remote hits)`;
      }
      times[mode].push(seconds);
      log(`ccache round ${r + 1} ${mode}: ${seconds.toFixed(2)} s${note}`);
    }
  }
  return times;
}

function benchTurbo(world: CacheWorld, rounds: number, log: (s: string) => void): Timings {
  const dir = join(world.root, 't');
  const packages = writeTurboRepo(dir, TURBO_PACKAGES, UNITS_PER_PACKAGE, NPM_TOOLS_MODULES);
  const base = { ...process.env, TURBO_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1', TURBO_NO_UPDATE_NOTIFIER: '1' };
  const remote = { ...base, TURBO_API: world.vars.TURBO_API, TURBO_TOKEN: world.vars.TURBO_TOKEN, TURBO_TEAM: world.vars.TURBO_TEAM };
  const clean = (localCache: boolean) => {
    for (const p of packages) rmSync(join(dir, 'packages', p, 'dist'), { recursive: true, force: true });
    if (localCache) rmSync(join(dir, '.turbo'), { recursive: true, force: true });
  };
  const turbo = (env: NodeJS.ProcessEnv, extra: string[] = []) => run(join(NPM_TOOLS_BIN, 'turbo'), ['run', 'build', '--concurrency=2', ...extra], dir, env);
  clean(true);
  turbo(remote); // populate the pool and the local cache
  const warm = join(world.root, 'turbo-warm-cache');
  cpSync(join(dir, '.turbo'), warm, { recursive: true });
  const times: Timings = { cold: [], local: [], remote: [], complete: 0 };
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < MODES.length; i++) {
      const mode = MODES[(i + r) % MODES.length]!;
      clean(true);
      if (mode === 'local') cpSync(warm, join(dir, '.turbo'), { recursive: true });
      const res = mode === 'cold' ? turbo(base, ['--force']) : turbo(mode === 'local' ? base : remote);
      const full = res.output.includes('FULL TURBO');
      if (mode === 'local' && !full) throw new Error(`turbo: the local run was not FULL TURBO:\n${res.output}`);
      if (mode === 'remote' && full) times.complete++;
      times[mode].push(res.seconds);
      log(`turbo round ${r + 1} ${mode}: ${res.seconds.toFixed(2)} s${mode === 'remote' ? (full ? ' (FULL TURBO)' : ' (not FULL TURBO)') : ''}`);
    }
  }
  return times;
}

/** p50 of the GETs that were hits, and how many were misses (a peer slower than the 100 ms deadline). */
async function getP50(world: CacheWorld): Promise<{ p50: number; misses: number }> {
  const port = Number(new URL(world.url).port);
  const token = world.token;
  const body = Buffer.alloc(1024 * 1024, 7);
  const put = await httpRequest(port, 'PUT', '/v8/artifacts/0123456789abcdef?slug=bench', { token, body });
  if (put.status !== 202) throw new Error(`PUT answered ${put.status}`);
  const lent = world.lenderStats().lent.usedBytes;
  if (lent < body.length) throw new Error('the artifact is not on the lender');
  const samples: number[] = [];
  let misses = 0;
  for (let i = 0; i < GETS + 5; i++) {
    const t0 = performance.now();
    const r = await httpRequest(port, 'GET', '/v8/artifacts/0123456789abcdef?slug=bench', { token });
    const ms = performance.now() - t0;
    if (i < 5) continue;
    if (r.status === 404) misses++;
    else if (r.status !== 200 || !r.body.equals(body)) throw new Error(`GET answered ${r.status} with ${r.body.length} bytes`);
    else samples.push(ms);
  }
  return { p50: samples.length > 0 ? median(samples) : Number.NaN, misses };
}

async function main(): Promise<void> {
  const json = process.argv.includes('--json');
  const roundsArg = process.argv.indexOf('--rounds');
  const rounds = roundsArg > 0 ? Number(process.argv[roundsArg + 1]) : 7;
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error('--rounds must be a positive integer');
  const log = (line: string) => !json && process.stdout.write(`${line}\n`);
  for (const tool of ['ccache', 'gcc', 'make'] as const) requireDebianTool(tool);
  await prepareNpmTools({ log: () => undefined });
  const load = loadavg()[0]!;
  const world = await createCacheWorld();
  try {
    mkdirSync(world.root, { recursive: true });
    const c = benchCcache(world, rounds, log);
    const t = benchTurbo(world, rounds, log);
    const gets = await getP50(world);
    const m = (xs: number[]) => Number(median(xs).toFixed(3));
    const savings = (x: Timings) => Number(((median(x.cold) - median(x.remote)) / (median(x.cold) - median(x.local))).toFixed(3));
    const result = {
      ccache_cold_s: m(c.cold),
      ccache_local_s: m(c.local),
      ccache_remote_s: m(c.remote),
      turbo_cold_s: m(t.cold),
      turbo_local_s: m(t.local),
      turbo_remote_s: m(t.remote),
      ccache_savings: savings(c),
      turbo_savings: savings(t),
      get_p50_ms: Number(gets.p50.toFixed(2)),
      get_misses: gets.misses,
      ccache_remote_complete_runs: c.complete,
      turbo_remote_full_turbo_runs: t.complete,
      rounds,
      load_average_before: Number(load.toFixed(2)),
      load_average_after: Number(loadavg()[0]!.toFixed(2)),
    };
    if (json) {
      process.stdout.write(`${JSON.stringify(result)}\n`);
      return;
    }
    log('');
    log(`ccache (${C_UNITS} units, make -j2): cold ${result.ccache_cold_s} s, local ${result.ccache_local_s} s, remote ${result.ccache_remote_s} s; savings ${result.ccache_savings} (target >= 0.9)`);
    log(`turbo (${TURBO_PACKAGES} packages): cold ${result.turbo_cold_s} s, local ${result.turbo_local_s} s, remote ${result.turbo_remote_s} s; savings ${result.turbo_savings} (target >= 0.9)`);
    log(`remote runs that were all hits: ccache ${c.complete}/${rounds}, turbo FULL TURBO ${t.complete}/${rounds}`);
    log(`1 MiB artifact from the peer through the endpoint: p50 ${result.get_p50_ms} ms (${gets.misses} of ${GETS} past the deadline)`);
    log(`load average: ${result.load_average_before} before, ${result.load_average_after} after (2 cores)`);
  } finally {
    await world.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:cache: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
