// Help derived from the command table: the overview, one command group's subcommands, and finding
// which command the words on a command line name. Nothing here is written per command.

import type { Command } from './command';

/** The leading words of a command line, up to its first option: what names the command. */
export function commandWords(argv: readonly string[]): string[] {
  const words: string[] = [];
  for (const a of argv) {
    if (a.startsWith('-')) break;
    words.push(a);
  }
  return words;
}

/** The command with the longest path matching the start of argv, and the arguments after it. */
export function findCommand(commands: readonly Command[], argv: readonly string[]): { command: Command; rest: string[] } | undefined {
  let best: Command | undefined;
  for (const c of commands) {
    if (c.path.every((w, i) => argv[i] === w) && (!best || c.path.length > best.path.length)) best = c;
  }
  return best ? { command: best, rest: argv.slice(best.path.length) } : undefined;
}

/** Commands one word longer than `prefix` that start with it (`node` -> node start, node stop, ...). */
export function subcommands(commands: readonly Command[], prefix: readonly string[]): Command[] {
  return commands.filter((c) => c.path.length > prefix.length && prefix.every((w, i) => c.path[i] === w));
}

function commandList(list: readonly Command[]): string[] {
  const width = Math.max(20, ...list.map((c) => c.path.join(' ').length));
  return list.map((c) => `  ${c.path.join(' ').padEnd(width)} ${c.summary}`);
}

export function overview(commands: readonly Command[]): string {
  const lines = ['Usage: memcloud <command> [options]', '', 'Pool idle RAM across trusted machines on your network.', '', 'Commands:'];
  lines.push(...commandList(commands));
  lines.push('', 'Run `memcloud <command> --help` for the options of a command.');
  return lines.join('\n') + '\n';
}

/** `memcloud node --help`: the group's subcommands, one line each. */
export function groupHelp(group: readonly string[], members: readonly Command[]): string {
  const name = group.map((w) => `${w} `).join('');
  const lines = [`Usage: memcloud ${name}<command> [options]`, '', 'Commands:', ...commandList(members)];
  lines.push('', `Run \`memcloud ${name}<command> --help\` for the options of a command.`);
  return lines.join('\n') + '\n';
}
