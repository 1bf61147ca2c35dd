// memcloud cache start | stop | env | stats | clear: the running node's build-cache endpoint.

import type { BuildCacheEnv, BuildCacheStartOptions, BuildCacheStatus } from '../../api/build-cache-types';
import { BUILD_CACHE_PROTOCOLS } from '../../api/build-cache-types';
import { hitRate, totals } from '../../buildcache/cache-stats';
import { parseUpstreamUrl } from '../../buildcache/upstream/upstream-url';
import { formatSize } from '../../store/sizes';
import { withClient } from '../client';
import { UsageError, stringOpt, writeJson, type Command, type CommandContext } from '../command';
import { formatTable } from '../format';
import { comment, setVariable, type ShellKind } from '../shell-env';

function startOptions(ctx: CommandContext): BuildCacheStartOptions {
  const portText = stringOpt(ctx, 'port');
  const upstream = stringOpt(ctx, 'upstream');
  if (upstream !== undefined && ctx.values['no-upstream']) throw new UsageError('--upstream and --no-upstream exclude each other');
  let port: number | undefined;
  if (portText !== undefined) {
    port = Number(portText);
    if (!/^\d{1,5}$/.test(portText) || port > 65535) throw new UsageError('--port must be an integer from 0 to 65535');
  }
  if (upstream !== undefined) {
    try {
      parseUpstreamUrl(upstream);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
  }
  return {
    ...(port !== undefined ? { port } : {}),
    ...(upstream !== undefined ? { upstream } : {}),
    ...(ctx.values['no-upstream'] ? { upstream: null } : {}),
  };
}

export const cacheStartCommand: Command = {
  path: ['cache', 'start'],
  summary: 'Open the build-cache endpoint and print its URL (idempotent; remembered across node restarts).',
  options: {
    port: { type: 'string', value: 'N', description: 'port on 127.0.0.1 (default: the last one used, else any free port)' },
    upstream: { type: 'string', value: 'URL', description: 'a second tier: redis://HOST:PORT or http(s)://... (an HTTP cache of the same protocols)' },
    'no-upstream': { type: 'boolean', description: 'remove the upstream tier' },
    json: { type: 'boolean', description: 'print the endpoint status as JSON' },
  },
  async run(ctx) {
    const opts = startOptions(ctx);
    await withClient(ctx, async (client) => {
      const s = await client.cacheStart(opts);
      if (ctx.values.json) return writeJson(ctx, s);
      ctx.out.write(`${s.url}\n`);
      if (ctx.out.isTTY) ctx.err.write(`build cache listening${s.upstream ? `, upstream ${s.upstream}` : ''}; point your shell at it with: eval "$(memcloud cache env)"\n`);
    });
  },
};

export const cacheStopCommand: Command = {
  path: ['cache', 'stop'],
  summary: 'Close the build-cache endpoint (its entries stay; remembered across node restarts).',
  async run(ctx) {
    await withClient(ctx, async (client) => {
      const before = await client.cacheStatus();
      await client.cacheStop();
      ctx.out.write(before.running ? `stopped the build-cache endpoint at ${before.url}\n` : 'the build-cache endpoint was not running\n');
    });
  },
};

function envLines(env: BuildCacheEnv, shell: ShellKind): string {
  // .bazelrc splits on spaces unless quoted: --remote_header="Authorization=Bearer <token>".
  const flags = env.bazelFlags.map((f) => (f.includes(' ') ? f.replace(/=(.*)$/, '="$1"') : f)).join(' ');
  return [
    comment(`MemCloud build cache at ${env.url}: Turborepo, Nx, ccache; Gradle through the init script below`),
    ...env.vars.map((v) => setVariable(shell, v.name, v.value)),
    comment(`bazel (.bazelrc): build ${flags}`),
    comment(`gradle: gradle --build-cache --init-script ${env.gradleInitScript}`),
  ].join('\n') + '\n';
}

const SHELLS = ['sh', 'fish', 'powershell', 'json'] as const;

export const cacheEnvCommand: Command = {
  path: ['cache', 'env'],
  summary: 'Print what points build tools at the endpoint: eval "$(memcloud cache env)".',
  options: { shell: { type: 'string', value: 'sh|fish|powershell|json', description: 'output syntax (default sh)' } },
  async run(ctx) {
    const shell = stringOpt(ctx, 'shell') ?? 'sh';
    if (!(SHELLS as readonly string[]).includes(shell)) throw new UsageError('--shell must be sh, fish, powershell or json');
    await withClient(ctx, async (client) => {
      const env = await client.cacheEnv();
      if (shell === 'json') {
        return writeJson(ctx, { url: env.url, vars: Object.fromEntries(env.vars.map((v) => [v.name, v.value])), bazelFlags: env.bazelFlags, gradleInitScript: env.gradleInitScript });
      }
      ctx.out.write(envLines(env, shell as ShellKind));
    });
  },
};

function percent(rate: number | null): string {
  return rate === null ? '-' : `${Math.round(rate * 100)}%`;
}

function statsText(s: BuildCacheStatus): string {
  const all = totals(s);
  const head = s.running ? `build cache: running at ${s.url}${s.upstream ? `, upstream ${s.upstream}` : ''}` : 'build cache: stopped (memcloud cache start opens it)';
  const lines = [head, `entries ${s.entries} (${formatSize(s.bytes)})   hit rate ${percent(hitRate(all))} (${all.hits} hits, ${all.misses} misses)`, ''];
  const rows = BUILD_CACHE_PROTOCOLS.map((p) => {
    const x = s.protocols[p];
    return [p, percent(hitRate(x)), String(x.hits), String(x.misses), String(x.fallbacks), String(x.puts), String(x.rejected), formatSize(x.bytesIn), formatSize(x.bytesOut)];
  });
  const table = formatTable(['protocol', 'hit rate', 'hits', 'misses', 'slow/failed', 'puts', 'refused', 'in', 'out'], rows);
  const u = s.upstreamStats;
  const t = s.turboEvents;
  const tail = [
    ...(s.upstream ? [`upstream: ${u.hits} hits, ${u.misses} misses, ${u.errors} errors, ${u.written} written through, ${u.queued} queued, ${u.dropped} dropped`] : []),
    ...(t.remoteHits + t.remoteMisses + t.localHits + t.localMisses > 0 ? [`turbo reports: remote ${t.remoteHits} hits / ${t.remoteMisses} misses, local ${t.localHits} hits / ${t.localMisses} misses`] : []),
  ];
  return `${lines.join('\n')}${table}${tail.length ? `\n${tail.join('\n')}\n` : ''}`;
}

export const cacheStatsCommand: Command = {
  path: ['cache', 'stats'],
  summary: 'Show the build cache: hits, misses, bytes in and out, entries, per protocol.',
  options: { json: { type: 'boolean', description: 'print JSON' } },
  async run(ctx) {
    await withClient(ctx, async (client) => {
      const s = await client.cacheStatus();
      if (ctx.values.json) writeJson(ctx, s);
      else ctx.out.write(statsText(s));
    });
  },
};

export const cacheClearCommand: Command = {
  path: ['cache', 'clear'],
  summary: 'Free every build-cache entry, here and on peers.',
  async run(ctx) {
    await withClient(ctx, async (client) => {
      const { freedEntries } = await client.cacheClear();
      ctx.out.write(`freed ${freedEntries} build-cache entr${freedEntries === 1 ? 'y' : 'ies'}\n`);
    });
  },
};

export const cacheCommands: readonly Command[] = [cacheStartCommand, cacheStopCommand, cacheEnvCommand, cacheStatsCommand, cacheClearCommand];
