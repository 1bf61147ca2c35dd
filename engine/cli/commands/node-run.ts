// memcloud node run: the node in the foreground, engine in a worker thread, logs on stdout.

import { parseHostPort, type CryptoChoice, type EngineOptionsInput } from '../../node/engine-options';
import { formatLogEntry } from '../../log/log';
import { EngineHost } from '../../worker/engine-host';
import { rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { isMemCloudError } from '../../errors';
import { ensureHome } from '../../home/home';
import { homePaths } from '../../home/paths';
import { readConfigFile } from '../../node/config-file';
import { RotatingLog } from '../../log/rotating-log';
import { UsageError, listOpt, stringOpt, type Command, type CommandContext, type OptionSpec } from '../command';
import { sizeOption } from './options';

export const nodeOptions: Readonly<Record<string, OptionSpec>> = {
  name: { type: 'string', value: 'NAME', description: 'device name shown to peers (default: host name)' },
  host: { type: 'string', value: 'ADDR', description: 'address to listen on for peers (default 0.0.0.0)' },
  port: { type: 'string', value: 'PORT', description: 'TCP port for peers (default 7797; 0 = any free port)' },
  offer: { type: 'string', value: 'SIZE', description: 'RAM offered to peers, e.g. 4gb (default: 1/4 of RAM, at most 4 GiB)' },
  memory: { type: 'string', value: 'SIZE', description: 'cap on all RAM this node uses for storage (default: offer + 512 MiB)' },
  connect: { type: 'string', value: 'HOST:PORT', multiple: true, description: 'peer to connect to and keep connected' },
  crypto: { type: 'string', value: 'auto|noble|native', description: 'crypto backend (default auto: native where available)' },
  'no-discovery': { type: 'boolean', description: 'do not advertise or browse with mDNS' },
  replicas: { type: 'string', value: 'N', description: 'default replication factor (default 2)' },
  'consent-timeout': { type: 'string', value: 'SECONDS', description: 'deny unanswered consent requests after this long (default 60)' },
  'log-level': { type: 'string', value: 'LEVEL', description: 'debug, info, warn or error (default info)' },
};

const runOptions: Readonly<Record<string, OptionSpec>> = {
  ...nodeOptions,
  'log-file': { type: 'string', value: 'FILE', description: 'write the log to FILE (rotated at 5 MiB) instead of standard output' },
};

function intArg(ctx: CommandContext, name: string, min: number, max: number): number | undefined {
  const v = stringOpt(ctx, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!/^\d+$/.test(v.trim()) || n < min || n > max) throw new UsageError(`--${name} must be an integer from ${min} to ${max}`);
  return n;
}

/** Engine options from the node options above (shared by node run and node start). */
export function engineOptionsFrom(ctx: CommandContext): EngineOptionsInput {
  const crypto = stringOpt(ctx, 'crypto');
  if (crypto !== undefined && !['auto', 'noble', 'native'].includes(crypto)) throw new UsageError('--crypto must be auto, noble or native');
  const connect = listOpt(ctx, 'connect').map((address) => {
    try {
      parseHostPort(address);
    } catch (err) {
      throw new UsageError(`--connect: ${(err as Error).message}`);
    }
    return { address };
  });
  const logLevel = stringOpt(ctx, 'log-level');
  if (logLevel !== undefined && !['debug', 'info', 'warn', 'error'].includes(logLevel)) throw new UsageError('--log-level must be debug, info, warn or error');
  const consentSeconds = intArg(ctx, 'consent-timeout', 1, 3600);
  const out: Record<string, unknown> = {
    home: ctx.home,
    name: stringOpt(ctx, 'name'),
    host: stringOpt(ctx, 'host'),
    port: intArg(ctx, 'port', 0, 65535),
    offeredBytes: sizeOption(ctx, 'offer'),
    memoryBytes: sizeOption(ctx, 'memory'),
    crypto: crypto as CryptoChoice | undefined,
    discovery: ctx.values['no-discovery'] ? false : undefined,
    connect,
    replicas: intArg(ctx, 'replicas', 1, 16),
    consentTimeoutMs: consentSeconds === undefined ? undefined : consentSeconds * 1000,
    logLevel,
  };
  for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
  return out as unknown as EngineOptionsInput;
}

export const nodeRunCommand: Command = {
  path: ['node', 'run'],
  summary: 'Run a node in the foreground until interrupted (Ctrl-C leaves gracefully).',
  options: runOptions,
  async run(ctx) {
    const fromFlags = engineOptionsFrom(ctx);
    await ensureHome(ctx.home);
    const fromFile = await readConfigFile(ctx.home);
    const options = { ...fromFile, ...fromFlags, connect: [...(fromFile.connect ?? []), ...(fromFlags.connect ?? [])] };
    const logFile = stringOpt(ctx, 'log-file');
    const rotating = logFile === undefined ? null : new RotatingLog(logFile);
    const say = (line: string) => (rotating ? rotating.write(line) : ctx.out.write(`${line}\n`));
    const pidFile = homePaths(ctx.home).nodePid;
    let host: EngineHost;
    try {
      host = await EngineHost.start(options, { onLog: (e) => say(formatLogEntry(e)) });
    } catch (err) {
      if (rotating && isMemCloudError(err)) say(`FATAL ${err.message} [${err.code}]`);
      rotating?.close();
      throw err;
    }
    await writeFile(pidFile, `${process.pid}\n`, { mode: 0o600 });
    say(`MemCloud node "${host.info.name}" ready: fingerprint ${host.info.fingerprint}, port ${host.info.port}`);
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
