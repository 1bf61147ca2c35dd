// The memcloud command line: finds the command, parses its arguments, runs it, and turns errors
// into a message and an exit code (0 ok, 1 failed, 2 bad usage).

import { isMemCloudError } from '../errors';
import { displayText } from '../text/display-text';
import { helpText, parseCommandArgs, usageLine, UsageError, type Command, type CommandIO } from './command';
import { commandWords, findCommand, groupHelp, overview, subcommands } from './help';
import { packageVersion } from './version';
import { BROKEN_PIPE_EXIT, isBrokenPipe } from './broken-pipe';
import { cacheCommands } from './commands/cache';
import { consentApproveCommand, consentDenyCommand, consentListCommand, consentPromptCommand } from './commands/consent';
import { delCommand, flushCommand, freeCommand, getCommand, keysCommand, loadCommand, setCommand, storeCommand } from './commands/data';
import { idCommand } from './commands/id';
import { listCommand, lsCommand } from './commands/ls';
import { nodeStartCommand } from './commands/node-start';
import { nodeStatusCommand } from './commands/node-status';
import { nodeStopCommand } from './commands/node-stop';
import { nodeRunCommand } from './commands/node-run';
import { logsCommand, statsCommand } from './commands/observe';
import { connectCommand, peersConnectCommand, peersDisconnectCommand, peersListCommand, peersUpdateCommand } from './commands/peers';
import { pullCommand, pushCommand } from './commands/transfer';
import { teamCommands } from './commands/team';
import { trustAddCommand, trustListCommand, trustRemoveCommand } from './commands/trust';

export const commands: readonly Command[] = [
  nodeStartCommand,
  nodeStopCommand,
  nodeStatusCommand,
  nodeRunCommand,
  idCommand,
  storeCommand,
  loadCommand,
  freeCommand,
  setCommand,
  getCommand,
  delCommand,
  keysCommand,
  lsCommand,
  listCommand,
  pushCommand,
  pullCommand,
  peersListCommand,
  peersConnectCommand,
  peersDisconnectCommand,
  peersUpdateCommand,
  connectCommand,
  trustListCommand,
  trustAddCommand,
  trustRemoveCommand,
  ...teamCommands,
  consentPromptCommand,
  consentListCommand,
  consentApproveCommand,
  consentDenyCommand,
  statsCommand,
  flushCommand,
  logsCommand,
  ...cacheCommands,
];

const HELP_WORDS = new Set(['--help', '-h']);

export async function runCli(argv: readonly string[], io: CommandIO): Promise<number> {
  if (argv[0] === '--version' || argv[0] === '-V') {
    io.out.write(`memcloud ${packageVersion()}\n`);
    return 0;
  }
  // `help node start` is `node start --help`.
  if (argv[0] === 'help' && argv.length > 1) return runCli([...argv.slice(1), '--help'], io);
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    io.out.write(overview(commands));
    return argv.length === 0 ? 2 : 0;
  }
  // The home may come first, as a global option: `memcloud --home DIR node start`.
  const { home, rest: words } = leadingHome(argv);
  if (home !== null && words.length === 0) {
    io.err.write('memcloud: --home needs a folder and then a command, e.g. `memcloud --home DIR node status`\n');
    return 2;
  }
  const found = findCommand(commands, words);
  if (!found) return noSuchCommand(words, io);
  const { command } = found;
  const rest = home === null ? found.rest : [...home, ...found.rest];
  try {
    const ctx = parseCommandArgs(command, rest, io);
    if (ctx === 'help') {
      const members = subcommands(commands, command.path);
      io.out.write(helpText(command) + (members.length ? `\n${groupHelp(command.path, members)}` : ''));
      return 0;
    }
    return (await command.run(ctx)) ?? 0;
  } catch (err) {
    return reportError(err, command, io);
  }
}

/** `--home DIR` or `--home=DIR` before the command words (moved to the command's own options), and what follows. */
function leadingHome(argv: readonly string[]): { home: string[] | null; rest: readonly string[] } {
  const first = argv[0]!;
  if (first === '--home') return { home: ['--home', argv[1] ?? ''], rest: argv.slice(2) };
  if (first.startsWith('--home=')) return { home: [first], rest: argv.slice(1) };
  return { home: null, rest: argv };
}

/** No command has these words: a group's help, or what exists. Only the words are echoed, never options. */
function noSuchCommand(argv: readonly string[], io: CommandIO): number {
  const words = commandWords(argv);
  const group = subcommands(commands, words.slice(0, 1));
  if (group.length > 0 && words.length === 1) {
    if (argv.slice(1).some((a) => HELP_WORDS.has(a))) {
      io.out.write(groupHelp(words, group));
      return 0;
    }
    io.err.write(`memcloud: "${words[0]}" needs a command\n${groupHelp(words, group)}`);
    return 2;
  }
  const name = words.length > 0 ? words.join(' ') : argv[0]!;
  const hint = group.length ? `\n${groupHelp(words.slice(0, 1), group)}` : ' (run `memcloud --help` for the list)\n';
  io.err.write(`memcloud: unknown command "${name}"${hint}`);
  return 2;
}

function reportError(err: unknown, command: Command, io: CommandIO): number {
  if (err instanceof UsageError) {
    io.err.write(`memcloud: ${err.message}\n${usageLine(err.command ?? command)}\nRun \`memcloud ${command.path.join(' ')} --help\` for details.\n`);
    return 2;
  }
  if (isBrokenPipe(err)) return BROKEN_PIPE_EXIT;
  if (isMemCloudError(err)) {
    // The message may quote a peer (an error reply): nothing in it may drive the terminal.
    io.err.write(`memcloud: ${displayText(err.message, 'terminal')} [${err.code}]\n`);
    return err.code === 'BAD_ARGUMENT' ? 2 : 1;
  }
  io.err.write(`memcloud: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  return 1;
}

if (require.main === module) {
  // A reader that goes away (`memcloud pull ID - | head`) ends us quietly, as SIGPIPE ends other tools.
  process.stdout.on('error', (err) => {
    if (isBrokenPipe(err)) process.exit(BROKEN_PIPE_EXIT);
  });
  runCli(process.argv.slice(2), { out: process.stdout, err: process.stderr, env: process.env, stdin: process.stdin }).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`memcloud: ${String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
