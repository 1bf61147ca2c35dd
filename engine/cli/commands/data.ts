// Blocks and keys: store / load / free, set / get / del / keys, flush.

import { MAX_VALUE_BYTES, checkValueSize, validateKey, validateValue } from '../../data/data-input';
import { ErrorCodes, MemCloudError, isMemCloudError } from '../../errors';
import { describe, errnoCode } from '../../home/fs-errors';
import { globToMatcher } from '../../store/glob';
import { formatSize } from '../../store/sizes';
import { withClient } from '../client';
import { UsageError, stringOpt, writeJson, type Command, type CommandContext } from '../command';
import { readStdin, storeOptionSpecs, storeOptions, warnIfFewerCopies } from './options';
import { open, type FileHandle } from 'node:fs/promises';

async function valueArg(ctx: CommandContext, text: string | undefined): Promise<Uint8Array> {
  const file = stringOpt(ctx, 'file');
  if (file !== undefined) {
    if (text !== undefined) throw new UsageError('give either a value or --file, not both');
    return readValueFile(file);
  }
  if (text === undefined) throw new UsageError('missing value (a string, - for standard input, or --file FILE)');
  return text === '-' ? readStdin(ctx, MAX_VALUE_BYTES) : validateValue(Buffer.from(text, 'utf8'));
}

/**
 * A value from --file: a regular file within the value limit, its size checked before it is read
 * (a 3 GiB file is refused, not read); an unreadable one is named with the reason, never a trace.
 */
async function readValueFile(file: string): Promise<Uint8Array> {
  let handle: FileHandle;
  try {
    handle = await open(file, 'r');
  } catch (err) {
    throw cannotRead(file, err);
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw new MemCloudError(ErrorCodes.BAD_ARGUMENT, `cannot read ${file}: not a regular file (use memcloud push for folders)`);
    checkValueSize(st.size);
    return validateValue(await handle.readFile()); // checked again: the file may have grown
  } catch (err) {
    throw isMemCloudError(err) ? err : cannotRead(file, err);
  } finally {
    await handle.close();
  }
}

const READ_PROBLEMS: Readonly<Record<string, string>> = { ENOENT: 'no such file', EACCES: 'permission denied', EISDIR: 'it is a folder (use memcloud push)' };

function cannotRead(file: string, err: unknown): MemCloudError {
  return new MemCloudError(ErrorCodes.BAD_ARGUMENT, `cannot read ${file}: ${READ_PROBLEMS[errnoCode(err) ?? ''] ?? describe(err)}`);
}

/** The key argument, checked here so bad usage is reported without a node. */
function keyArg(ctx: CommandContext): string {
  return validateKey(ctx.positionals[0]);
}

function writeValue(ctx: CommandContext, value: Uint8Array): void {
  ctx.out.write(value);
  if (ctx.out.isTTY && value[value.length - 1] !== 0x0a) ctx.out.write('\n');
}

const fileOption = { file: { type: 'string' as const, value: 'FILE', description: 'read the value from a file' } };

export const storeCommand: Command = {
  path: ['store'],
  summary: 'Store a block (text, - for standard input, or --file) and print its id.',
  args: '[VALUE|-]',
  positionals: { min: 0, max: 1 },
  options: { ...storeOptionSpecs, ...fileOption, json: { type: 'boolean', description: 'print JSON' } },
  async run(ctx) {
    const opts = storeOptions(ctx);
    const data = await valueArg(ctx, ctx.positionals[0]);
    const ref = await withClient(ctx, (c) => c.store(data, opts));
    warnIfFewerCopies(ctx, opts, ref.replicas);
    if (ctx.values.json) return writeJson(ctx, ref);
    ctx.out.write(`${ref.id}\n`);
  },
};

export const loadCommand: Command = {
  path: ['load'],
  summary: 'Write a stored block to standard output.',
  args: '<ID>',
  positionals: { min: 1, max: 1 },
  async run(ctx) {
    writeValue(ctx, await withClient(ctx, (c) => c.load(ctx.positionals[0]!)));
  },
};

export const freeCommand: Command = {
  path: ['free'],
  summary: 'Free a stored block or pushed stream, on every peer that holds it.',
  args: '<ID>',
  positionals: { min: 1, max: 1 },
  async run(ctx) {
    await withClient(ctx, (c) => c.free(ctx.positionals[0]!));
    ctx.out.write(`freed ${ctx.positionals[0]}\n`);
  },
};

export const setCommand: Command = {
  path: ['set'],
  summary: 'Set a key (overwriting frees the old value everywhere).',
  args: '<KEY> [VALUE|-]',
  positionals: { min: 1, max: 2 },
  options: { ...storeOptionSpecs, ...fileOption },
  async run(ctx) {
    const key = keyArg(ctx);
    const opts = storeOptions(ctx);
    const value = await valueArg(ctx, ctx.positionals[1]);
    const replicas = await withClient(ctx, async (c) => {
      await c.set(key, value, opts);
      return opts.replicas === undefined ? undefined : (await c.listData()).find((d) => d.kind === 'key' && d.id === key)?.replicas;
    });
    if (replicas) warnIfFewerCopies(ctx, opts, replicas);
    ctx.out.write(`OK (${formatSize(value.length)})\n`);
  },
};

export const getCommand: Command = {
  path: ['get'],
  summary: 'Write the value of a key to standard output.',
  args: '<KEY>',
  positionals: { min: 1, max: 1 },
  async run(ctx) {
    const key = keyArg(ctx);
    writeValue(ctx, await withClient(ctx, (c) => c.get(key)));
  },
};

export const delCommand: Command = {
  path: ['del'],
  summary: 'Delete a key and free its value.',
  args: '<KEY>',
  positionals: { min: 1, max: 1 },
  async run(ctx) {
    const key = keyArg(ctx);
    const existed = await withClient(ctx, (c) => c.del(key));
    if (existed) ctx.out.write('deleted\n');
    else ctx.err.write(`memcloud: no key ${JSON.stringify(key)} [NOT_FOUND]\n`);
    return existed ? 0 : 1;
  },
};

export const keysCommand: Command = {
  path: ['keys'],
  summary: 'List keys matching a glob (default *), e.g. "user:*".',
  args: '[PATTERN]',
  positionals: { min: 0, max: 1 },
  options: { json: { type: 'boolean', description: 'print JSON' } },
  async run(ctx) {
    const pattern = ctx.positionals[0] ?? '*';
    globToMatcher(pattern); // a bad pattern is bad usage, reported without a node
    const keys = await withClient(ctx, (c) => c.keys(pattern));
    if (ctx.values.json) return writeJson(ctx, keys);
    for (const k of keys) ctx.out.write(`${k}\n`);
  },
};

export const flushCommand: Command = {
  path: ['flush'],
  summary: "Free all of this node's own data (keys, blocks, streams), here and on peers. Never touches peers' data.",
  options: { yes: { type: 'boolean', short: 'y', description: 'do not ask for confirmation' } },
  async run(ctx) {
    if (!ctx.values.yes) throw new UsageError('flush frees all of your data in the pool: add --yes to confirm');
    const { freedItems } = await withClient(ctx, (c) => c.flush());
    ctx.out.write(`freed ${freedItems} item${freedItems === 1 ? '' : 's'}\n`);
  },
};
