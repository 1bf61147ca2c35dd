// The CLI's command model: each command declares its options and positionals once; parsing,
// --help and usage errors are derived from that declaration.

import { parseArgs } from 'node:util';
import { resolveHome } from '../home/home';

export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  readonly multiple?: boolean;
  readonly value?: string;
  readonly description: string;
}

export interface CommandIO {
  readonly out: NodeJS.WritableStream & { isTTY?: boolean };
  readonly err: NodeJS.WritableStream;
  readonly env: NodeJS.ProcessEnv;
  readonly stdin: NodeJS.ReadableStream & { isTTY?: boolean };
}

export interface CommandContext extends CommandIO {
  readonly values: Readonly<Record<string, string | boolean | string[] | undefined>>;
  readonly positionals: readonly string[];
  /** The resolved home: --home, then MEMCLOUD_HOME, then ~/.memcloud. */
  readonly home: string;
}

export interface Command {
  /** Words that select it, e.g. ['trust', 'add']. */
  readonly path: readonly string[];
  readonly summary: string;
  /** Positional part of the usage line, e.g. '<public-key>'. */
  readonly args?: string;
  readonly positionals?: { readonly min: number; readonly max: number };
  readonly options?: Readonly<Record<string, OptionSpec>>;
  /** Returns the exit code (default 0). */
  run(ctx: CommandContext): Promise<number | void>;
}

/** Bad command-line input: printed with the usage line, exit code 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly command?: Command,
  ) {
    super(message);
  }
}

export const GLOBAL_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  home: { type: 'string', value: 'DIR', description: 'MemCloud home (default $MEMCLOUD_HOME, then ~/.memcloud)' },
  help: { type: 'boolean', short: 'h', description: 'show this help' },
};

export function usageLine(c: Command): string {
  return `Usage: memcloud ${c.path.join(' ')}${c.options && Object.keys(c.options).length ? ' [options]' : ''}${c.args ? ` ${c.args}` : ''}`;
}

export function helpText(c: Command): string {
  const lines = [usageLine(c), '', c.summary, '', 'Options:'];
  const all = { ...c.options, ...GLOBAL_OPTIONS };
  for (const [name, spec] of Object.entries(all)) {
    const flag = `${spec.short ? `-${spec.short}, ` : '    '}--${name}${spec.type === 'string' ? ` ${spec.value ?? 'VALUE'}` : ''}`;
    lines.push(`  ${flag.padEnd(34)} ${spec.description}${spec.multiple ? ' (repeatable)' : ''}`);
  }
  return lines.join('\n') + '\n';
}

/** A public key's text form (base64url, 43 characters) may begin with '-'. */
const KEY_LIKE = /^-[A-Za-z0-9_-]{42}$/;

/**
 * Keys as printed by `memcloud id` can start with '-', which parseArgs would read as options: such
 * a key right after an option that takes a value (`--key <key>`) becomes `--key=<key>`; any other
 * goes after a '--' so it stays positional.
 */
function protectKeyArguments(argv: readonly string[], options: Readonly<Record<string, OptionSpec>>): string[] {
  const end = argv.indexOf('--');
  const head = end < 0 ? [...argv] : argv.slice(0, end);
  const tail = end < 0 ? [] : argv.slice(end + 1);
  const kept: string[] = [];
  const keys: string[] = [];
  for (let i = 0; i < head.length; i++) {
    const arg = head[i]!;
    const valueOf = stringOptionNamed(arg, options);
    const next = head[i + 1];
    if (valueOf !== undefined && next !== undefined && KEY_LIKE.test(next)) {
      kept.push(`--${valueOf}=${next}`);
      i++;
    } else if (KEY_LIKE.test(arg)) keys.push(arg);
    else kept.push(arg);
  }
  if (keys.length === 0 && end < 0) return kept;
  return [...kept, '--', ...keys, ...tail];
}

/** The long name of the string option `arg` names on its own (`--key`, or its short form), if any. */
function stringOptionNamed(arg: string, options: Readonly<Record<string, OptionSpec>>): string | undefined {
  const long = /^--([^=]+)$/.exec(arg)?.[1];
  const short = /^-([^-])$/.exec(arg)?.[1];
  for (const [name, spec] of Object.entries(options)) {
    if (spec.type === 'string' && (name === long || (short !== undefined && spec.short === short))) return name;
  }
  return undefined;
}

export function parseCommandArgs(c: Command, argv: readonly string[], io: CommandIO): CommandContext | 'help' {
  const options = { ...c.options, ...GLOBAL_OPTIONS };
  let parsed;
  try {
    parsed = parseArgs({
      args: protectKeyArguments(argv, options),
      options: Object.fromEntries(
        Object.entries(options).map(([k, o]) => [k, { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: true } : {}) }]),
      ),
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    throw new UsageError((err as Error).message.replace(/^TypeError \[[A-Z_]+\]: /, ''), c);
  }
  if (parsed.values.help) return 'help';
  const { min, max } = c.positionals ?? { min: 0, max: 0 };
  if (parsed.positionals.length < min) throw new UsageError(`missing argument${c.args ? `: ${c.args}` : ''}`, c);
  if (parsed.positionals.length > max) throw new UsageError(`unexpected argument "${parsed.positionals[max]}"`, c);
  const values = parsed.values as Record<string, string | boolean | string[] | undefined>;
  return { ...io, values, positionals: parsed.positionals, home: resolveHome({ home: values.home as string | undefined, env: io.env }) };
}

export function stringOpt(ctx: CommandContext, name: string): string | undefined {
  const v = ctx.values[name];
  return typeof v === 'string' ? v : undefined;
}

export function listOpt(ctx: CommandContext, name: string): string[] {
  const v = ctx.values[name];
  return Array.isArray(v) ? v : typeof v === 'string' ? [v] : [];
}

export function writeJson(ctx: CommandIO, value: unknown): void {
  ctx.out.write(`${JSON.stringify(value)}\n`);
}
