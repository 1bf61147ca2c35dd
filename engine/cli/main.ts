// The memcloud command line: finds the command, parses its arguments, runs it, and turns errors
// into a message and an exit code (0 ok, 1 failed, 2 bad usage).

import { isMemCloudError } from '../errors';
import { helpText, parseCommandArgs, usageLine, UsageError, type Command, type CommandIO } from './command';
import { consentApproveCommand, consentDenyCommand, consentListCommand, consentPromptCommand } from './commands/consent';
import { delCommand, flushCommand, freeCommand, getCommand, keysCommand, loadCommand, setCommand, storeCommand } from './commands/data';
import { idCommand } from './commands/id';
import { nodeStartCommand, nodeStatusCommand, nodeStopCommand } from './commands/node-lifecycle';
import { nodeRunCommand } from './commands/node-run';
import { logsCommand, statsCommand } from './commands/observe';
import { connectCommand, peersConnectCommand, peersDisconnectCommand, peersListCommand, peersUpdateCommand } from './commands/peers';
import { pullCommand, pushCommand } from './commands/transfer';
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
  consentPromptCommand,
  consentListCommand,
  consentApproveCommand,
  consentDenyCommand,
  statsCommand,
  flushCommand,
  logsCommand,
];

function overview(): string {
  const lines = ['Usage: memcloud <command> [options]', '', 'Pool idle RAM across trusted machines on your network.', '', 'Commands:'];
  for (const c of commands) lines.push(`  ${c.path.join(' ').padEnd(20)} ${c.summary}`);
  lines.push('', 'Run `memcloud <command> --help` for the options of a command.');
  return lines.join('\n') + '\n';
}

function find(argv: readonly string[]): { command: Command; rest: string[] } | undefined {
  let best: Command | undefined;
  for (const c of commands) {
    if (c.path.every((w, i) => argv[i] === w) && (!best || c.path.length > best.path.length)) best = c;
  }
  return best ? { command: best, rest: argv.slice(best.path.length) } : undefined;
}

export async function runCli(argv: readonly string[], io: CommandIO): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    io.out.write(overview());
    return argv.length === 0 ? 2 : 0;
  }
  const found = find(argv);
  if (!found) {
    const group = commands.filter((c) => c.path[0] === argv[0]);
    const hint = group.length ? `\n${group.map((c) => `  ${usageLine(c)}`).join('\n')}` : ' (run `memcloud --help` for the list)';
    io.err.write(`memcloud: unknown command "${argv.join(' ')}"${hint}\n`);
    return 2;
  }
  const { command, rest } = found;
  try {
    const ctx = parseCommandArgs(command, rest, io);
    if (ctx === 'help') {
      io.out.write(helpText(command));
      return 0;
    }
    return (await command.run(ctx)) ?? 0;
  } catch (err) {
    if (err instanceof UsageError) {
      io.err.write(`memcloud: ${err.message}\n${usageLine(err.command ?? command)}\nRun \`memcloud ${command.path.join(' ')} --help\` for details.\n`);
      return 2;
    }
    if (isMemCloudError(err)) {
      io.err.write(`memcloud: ${err.message} [${err.code}]\n`);
      return err.code === 'BAD_ARGUMENT' ? 2 : 1;
    }
    io.err.write(`memcloud: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return 1;
  }
}

if (require.main === module) {
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
