// push / pull: data of any size through the pool, chunked with a bounded window.

import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { EngineEvent, PushInfo, StoreOptions, StreamInfo } from '../../api/types';
import type { MemCloud } from '../../sdk/client';
import { displayText } from '../../text/display-text';
import { withClient } from '../client';
import { stringOpt, writeJson, type Command, type CommandContext } from '../command';
import { ProgressBar } from '../progress';
import { storeOptionSpecs, storeOptions, warnIfFewerCopies } from './options';

/** Runs a node-side file transfer while drawing its progress events. */
async function withProgress<T extends StreamInfo>(ctx: CommandContext, client: MemCloud, label: string, run: (transferId: string) => Promise<T>): Promise<T> {
  const transferId = randomBytes(8).toString('hex');
  const bar = new ProgressBar(ctx, label, null);
  const off = bar.enabled
    ? client.subscribe((e: EngineEvent) => {
        if (e.type === 'progress' && e.progress.transferId === transferId) bar.update(e.progress.doneBytes, e.progress.totalBytes);
      })
    : () => undefined;
  if (bar.enabled) await client.subscribed();
  const cancel = () => void client.cancelTransfer(transferId).catch(() => undefined);
  process.once('SIGINT', cancel);
  try {
    return await run(transferId);
  } finally {
    process.off('SIGINT', cancel);
    off();
    bar.finish();
  }
}

function counter(bar: ProgressBar): Transform {
  let done = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      done += chunk.length;
      bar.update(done);
      cb(null, chunk);
    },
  });
}

export const pushCommand: Command = {
  path: ['push'],
  summary: 'Store a file (or - for standard input) of any size in the pool; prints its id.',
  args: '<FILE|->',
  positionals: { min: 1, max: 1 },
  options: { ...storeOptionSpecs, name: { type: 'string', value: 'NAME', description: 'a label for listings (default: the file name)' }, json: { type: 'boolean', description: 'print JSON' } },
  async run(ctx) {
    const source = ctx.positionals[0]!;
    const opts = storeOptions(ctx, stringOpt(ctx, 'name') ?? (source === '-' ? 'stdin' : undefined));
    const { info, replicas } = await withClient(ctx, async (client) => {
      const info = await pushSource(ctx, client, source, opts);
      const replicas = opts.replicas === undefined ? undefined : (await client.listData()).find((d) => d.id === info.id)?.replicas;
      return { info, replicas };
    });
    if (replicas) warnIfFewerCopies(ctx, opts, replicas);
    warnIfSkipped(ctx, info);
    if (ctx.values.json) return writeJson(ctx, info);
    ctx.out.write(`${info.id}\n`);
  },
};

async function pushSource(ctx: CommandContext, client: MemCloud, source: string, opts: StoreOptions): Promise<PushInfo> {
  if (source !== '-') {
    const path = resolve(source);
    return withProgress(ctx, client, 'push', (transferId) => client.pushFile(path, { ...opts, transferId }));
  }
  const bar = new ProgressBar(ctx, 'push', null);
  try {
    const sink = client.createWriteStream(opts);
    await pipeline(ctx.stdin, counter(bar), sink);
    return sink.done;
  } finally {
    bar.finish();
  }
}

/** A pushed folder's FIFOs, sockets and devices are not stored: say which (names quoted, controls escaped). */
function warnIfSkipped(ctx: CommandContext, info: PushInfo): void {
  const skipped = info.skipped ?? [];
  if (skipped.length === 0) return;
  const shown = skipped.slice(0, MAX_SKIPPED_SHOWN).map(quotedPath).join(', ');
  const more = skipped.length > MAX_SKIPPED_SHOWN ? ` and ${skipped.length - MAX_SKIPPED_SHOWN} more` : '';
  ctx.err.write(`memcloud: warning: not stored (FIFOs, sockets and devices cannot be): ${shown}${more}\n`);
}

const MAX_SKIPPED_SHOWN = 20;

/** JSON-quoted (line breaks and C0 escaped), then made safe for the terminal (C1, bidi and other format characters): a file name never drives it. */
const quotedPath = (p: string): string => displayText(JSON.stringify(p), 'terminal');

export const pullCommand: Command = {
  path: ['pull'],
  summary: 'Write a pushed stream to FILE (written to a temporary file, then renamed) or standard output.',
  args: '<ID> [FILE|-]',
  positionals: { min: 1, max: 2 },
  async run(ctx) {
    const [id, target = '-'] = ctx.positionals as [string, string | undefined];
    await withClient(ctx, async (client) => {
      if (target !== '-') {
        await withProgress(ctx, client, 'pull', (transferId) => client.pullFile(id, resolve(target), { transferId }));
        return;
      }
      const source = client.loadStream(id);
      await pipeline(source, ctx.out);
    });
  },
};
