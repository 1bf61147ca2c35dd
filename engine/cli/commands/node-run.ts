// memcloud node run: the node in the foreground, engine in a worker thread, logs on stdout.

import { formatLogEntry } from '../../log/log';
import { EngineHost } from '../../worker/engine-host';
import { rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { isMemCloudError } from '../../errors';
import { homePaths } from '../../home/paths';
import { RotatingLog } from '../../log/rotating-log';
import { stringOpt, type Command, type OptionSpec } from '../command';
import { nodeOptions, nodeStartupOptions } from './node-options';
import { reportStartup } from './startup-report';
import { readOrCreateRecord } from '../../identity/identity-file';
import { startSecret } from '../secret-input';

const runOptions: Readonly<Record<string, OptionSpec>> = {
  ...nodeOptions,
  'log-file': { type: 'string', value: 'FILE', description: 'write the log to FILE (rotated at 5 MiB) instead of standard output' },
};

export const nodeRunCommand: Command = {
  path: ['node', 'run'],
  summary: 'Run a node in the foreground until interrupted (Ctrl-C leaves gracefully).',
  options: runOptions,
  async run(ctx) {
    let options;
    let secret: Uint8Array | undefined;
    try {
      options = await nodeStartupOptions(ctx);
      secret = await startSecret(ctx, await readOrCreateRecord(ctx.home));
    } catch (err) {
      reportStartup({ failed: err });
      throw err;
    }
    const logFile = stringOpt(ctx, 'log-file');
    const rotating = logFile === undefined ? null : new RotatingLog(logFile);
    const say = (line: string) => (rotating ? rotating.write(line) : ctx.out.write(`${line}\n`));
    const pidFile = homePaths(ctx.home).nodePid;
    let host: EngineHost;
    try {
      host = await EngineHost.start(options, { onLog: (e) => say(formatLogEntry(e)), ...(secret ? { unlock: { secret } } : {}) });
    } catch (err) {
      if (rotating && isMemCloudError(err)) say(`FATAL ${err.message} [${err.code}]`);
      rotating?.close();
      reportStartup({ failed: err });
      throw err;
    }
    await writeFile(pidFile, `${process.pid}\n`, { mode: 0o600 });
    say(`MemCloud node "${host.info.name}" ready: fingerprint ${host.info.fingerprint}, port ${host.info.port}`);
    reportStartup({ ready: true });
    return new Promise<number>((resolve) => {
      let signals = 0;
      const onSignal = () => {
        if (++signals > 1) process.exit(130);
        say('stopping (peers are told first; press Ctrl-C again to force)');
        void host.stop();
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      host.once('exit', (err) => {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        rmSync(pidFile, { force: true });
        if (err) {
          say(`the node stopped: ${err.message}`);
          if (!rotating) ctx.err.write(`memcloud: the node stopped: ${err.message}\n`);
        }
        rotating?.close();
        resolve(err ? 1 : 0);
      });
    });
  },
};
