// stats [--follow] [--json] and logs [--lines N] [--follow].

import type { EngineEvent, Stats } from '../../api/types';
import { formatLogEntry } from '../../log/log';
import { formatSize } from '../../store/sizes';
import { ErrorCodes, MemCloudError } from '../../errors';
import { homePaths } from '../../home/paths';
import { tryClient, withClient } from '../client';
import { followLogFile, tailLogFile } from '../log-file';
import { UsageError, stringOpt, writeJson, type Command, type CommandContext } from '../command';

function statsLine(s: Stats, crypto: string): string {
  return [
    `crypto ${crypto}`,
    `memory ${formatSize(s.local.usedBytes)}/${formatSize(s.local.capacityBytes)}`,
    `lent ${formatSize(s.lent.usedBytes)}/${formatSize(s.lent.offeredBytes)} to ${s.lent.peers}`,
    `borrowed ${formatSize(s.borrowed.usedBytes)}${s.borrowed.degraded ? ` (${s.borrowed.degraded} degraded)` : ''}`,
    `pool ${formatSize(s.pool.offeredBytes)} from ${s.pool.connectedPeers} peers`,
    `out ${formatSize(s.throughput.sentPerSec)}/s in ${formatSize(s.throughput.receivedPerSec)}/s`,
    `${Math.round(s.ops.perSec)} ops/s`,
    `${s.evictions} evictions`,
  ].join('  ');
}

function stopOnSigint(): Promise<void> {
  return new Promise((resolve) => process.once('SIGINT', () => resolve()));
}

export const statsCommand: Command = {
  path: ['stats'],
  summary: 'Show memory, lending, borrowing, throughput and operation rates.',
  options: {
    follow: { type: 'boolean', short: 'f', description: 'print again every second until Ctrl-C' },
    json: { type: 'boolean', description: 'print JSON (one object per line with --follow)' },
  },
  async run(ctx) {
    await withClient(ctx, async (client) => {
      // The crypto backend is fixed while a node runs: asked once, shown with every sample.
      const { crypto } = await client.status();
      const print = async () => {
        const s = await client.stats();
        if (ctx.values.json) writeJson(ctx, { ...s, crypto });
        else ctx.out.write(`${statsLine(s, crypto)}\n`);
      };
      await print();
      if (!ctx.values.follow) return;
      const stop = stopOnSigint();
      let done = false;
      void stop.then(() => (done = true));
      const closed = new Promise<void>((r) => client.onClose(() => r()));
      while (!done) {
        await Promise.race([new Promise((r) => setTimeout(r, 1000)), stop, closed]);
        if (!done) await print();
      }
    });
  },
};

/** No node answers (stopped, crashed): the log file a background node left in the home. */
async function logsFromFile(ctx: CommandContext, lines: number): Promise<number> {
  const path = homePaths(ctx.home).nodeLog;
  const tail = await tailLogFile(path, lines);
  if (tail === undefined) {
    throw new MemCloudError(ErrorCodes.NODE_NOT_RUNNING, `no node is running for ${ctx.home} and none left a log there (${path})`);
  }
  ctx.err.write(`memcloud: no node is running for ${ctx.home}; showing ${path}\n`);
  for (const line of tail.lines) ctx.out.write(`${line}\n`);
  if (ctx.values.follow) await followLogFile(path, tail.at, (text) => ctx.out.write(text), stopOnSigint());
  return 0;
}

function linesOption(ctx: CommandContext): number {
  const v = stringOpt(ctx, 'lines');
  if (v === undefined) return 50;
  if (!/^\d+$/.test(v) || Number(v) > 10_000) throw new UsageError('--lines must be an integer from 0 to 10000');
  return Number(v);
}

export const logsCommand: Command = {
  path: ['logs'],
  summary: "Show the node's recent log (never contains secrets).",
  options: {
    lines: { type: 'string', short: 'n', value: 'N', description: 'how many recent lines (default 50)' },
    follow: { type: 'boolean', short: 'f', description: 'keep printing new lines until Ctrl-C' },
  },
  async run(ctx) {
    const lines = linesOption(ctx);
    const client = await tryClient(ctx);
    if (!client) return logsFromFile(ctx, lines);
    try {
      for (const e of await client.logs({ lines })) ctx.out.write(`${formatLogEntry(e)}\n`);
      if (!ctx.values.follow) return;
      client.subscribe((e: EngineEvent) => {
        if (e.type === 'log') ctx.out.write(`${formatLogEntry(e.entry)}\n`);
      });
      await client.subscribed();
      await Promise.race([stopOnSigint(), new Promise<void>((r) => client.onClose(() => r()))]);
    } finally {
      await client.close();
    }
  },
};
