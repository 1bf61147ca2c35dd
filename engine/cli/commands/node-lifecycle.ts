// memcloud node start | stop | status: the node in the background, with a pid file and a rotating
// log in the home. start returns once the node answers on its control socket.

import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { ErrorCodes, MemCloudError } from '../../errors';
import { ensureHome } from '../../home/home';
import { homePaths } from '../../home/paths';
import { formatSize } from '../../store/sizes';
import type { MemCloud } from '../../sdk/client';
import { tryClient } from '../client';
import { writeJson, type Command, type CommandContext } from '../command';
import { nodeOptions } from './node-run';

const START_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 40_000;

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function readPid(home: string): number | null {
  try {
    const pid = Number(readFileSync(homePaths(home).nodePid, 'utf8').trim());
    return Number.isSafeInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

async function logTail(home: string, lines = 15): Promise<string> {
  const text = await readFile(homePaths(home).nodeLog, 'utf8').catch(() => '');
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

async function describeStatus(ctx: CommandContext, client: MemCloud): Promise<void> {
  const [s, stats, peers] = await Promise.all([client.status(), client.stats(), client.peers()]);
  if (ctx.values.json) return writeJson(ctx, { status: s, stats });
  const connected = peers.filter((p) => p.state === 'connected').length;
  ctx.out.write(
    [
      `MemCloud node "${s.name}" running (pid ${s.pid}), up ${Math.round((Date.now() - s.startedAt) / 1000)} s`,
      `  fingerprint  ${s.fingerprint}`,
      `  listening    ${s.listen.host}:${s.listen.port}   crypto ${s.crypto}   discovery ${s.discovery ? 'on' : 'off'}`,
      `  offering     ${formatSize(s.offeredBytes)} to peers, ${formatSize(stats.lent.usedBytes)} in use by ${stats.lent.peers} peer(s)`,
      `  memory       ${formatSize(stats.local.usedBytes)} of ${formatSize(stats.local.capacityBytes)}`,
      `  borrowed     ${formatSize(stats.borrowed.usedBytes)} on peers (${stats.borrowed.items} blocks${stats.borrowed.degraded ? `, ${stats.borrowed.degraded} degraded` : ''})`,
      `  peers        ${connected} connected of ${peers.length} known`,
      `  home         ${s.home}`,
    ].join('\n') + '\n',
  );
}

export const nodeStartCommand: Command = {
  path: ['node', 'start'],
  summary: 'Start a node in the background (log: <home>/node.log, pid: <home>/node.pid).',
  options: nodeOptions,
  async run(ctx) {
    const running = await tryClient(ctx);
    if (running) {
      const s = await running.status().finally(() => running.close());
      throw new MemCloudError(ErrorCodes.NODE_ALREADY_RUNNING, `a node is already running for ${ctx.home} (pid ${s.pid})`);
    }
    await ensureHome(ctx.home);
    const paths = homePaths(ctx.home);
    const passThrough = Object.entries(ctx.values).flatMap(([name, v]) => {
      if (!(name in nodeOptions) || v === undefined || v === false) return [];
      if (v === true) return [`--${name}`];
      return (Array.isArray(v) ? v : [v]).flatMap((x) => [`--${name}`, x]);
    });
    const child = spawn(process.execPath, [process.argv[1]!, 'node', 'run', ...passThrough, '--home', ctx.home, '--log-file', paths.nodeLog], {
      detached: true,
      stdio: 'ignore',
      env: ctx.env,
    });
    let exited: number | null = null;
    child.once('exit', (code) => (exited = code ?? 1));
    child.unref();
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (Date.now() < deadline && exited === null) {
      const client = await tryClient(ctx);
      if (client) {
        try {
          await describeStatus(ctx, client);
        } finally {
          await client.close();
        }
        return;
      }
      await sleep(150);
    }
    const tail = await logTail(ctx.home);
    throw new MemCloudError(
      ErrorCodes.INTERNAL,
      `${exited === null ? 'the node did not start in time' : `the node exited with code ${exited}`}; last lines of ${paths.nodeLog}:\n${tail}`,
    );
  },
};

export const nodeStopCommand: Command = {
  path: ['node', 'stop'],
  summary: 'Stop the node gracefully (peers are told first so owners re-replicate).',
  async run(ctx) {
    const pid = readPid(ctx.home);
    const client = await tryClient(ctx);
    if (!client) {
      ctx.out.write(`no node is running for ${ctx.home}\n`);
      return 0;
    }
    const status = await client.status();
    await client.shutdown().catch(() => undefined);
    await client.close();
    const target = pid ?? status.pid;
    const deadline = Date.now() + STOP_TIMEOUT_MS;
    while (alive(target) && Date.now() < deadline) await sleep(100);
    if (alive(target)) {
      process.kill(target, 'SIGTERM');
      ctx.err.write('the node did not stop in time; sent SIGTERM\n');
      return 1;
    }
    ctx.out.write(`stopped node "${status.name}" (pid ${target})\n`);
  },
};

export const nodeStatusCommand: Command = {
  path: ['node', 'status'],
  summary: 'Show whether a node runs for this home, and its state.',
  options: { json: { type: 'boolean', description: 'print JSON' } },
  async run(ctx) {
    const client = await tryClient(ctx);
    if (!client) {
      if (ctx.values.json) writeJson(ctx, { running: false, home: ctx.home });
      else ctx.out.write(`no node is running for ${ctx.home} (start one with \`memcloud node start\`)\n`);
      return 3;
    }
    try {
      await describeStatus(ctx, client);
    } finally {
      await client.close();
    }
  },
};
