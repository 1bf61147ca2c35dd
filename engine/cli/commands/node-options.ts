// The options of `node run` and `node start`, parsed and checked once: flags, then config.json
// under them, then the engine's own validation, so both commands refuse the same bad input with the
// same message before any node is started.

import { formatSize } from '../../store/sizes';
import { ensureHome } from '../../home/home';
import { readConfigFile } from '../../node/config-file';
import { CRYPTO_CHOICES, isCryptoChoice } from '../../crypto/backend-name';
import { resolveEngineOptions, type EngineOptionsInput } from '../../node/engine-options';
import { parseHostPort } from '../../session/peer-address';
import { UsageError, listOpt, stringOpt, type CommandContext, type OptionSpec } from '../command';
import { sizeOption } from './options';

export const nodeOptions: Readonly<Record<string, OptionSpec>> = {
  name: { type: 'string', value: 'NAME', description: 'device name shown to peers (default: host name)' },
  host: { type: 'string', value: 'ADDR', description: 'address to listen on for peers (default 0.0.0.0)' },
  port: { type: 'string', value: 'PORT', description: 'TCP port for peers (default 7797; 0 = any free port)' },
  offer: { type: 'string', value: 'SIZE', description: 'RAM offered to peers, e.g. 4gb (default: 1/4 of RAM, at most 4 GiB)' },
  memory: { type: 'string', value: 'SIZE', description: 'cap on all RAM this node uses for storage (default: offer + 512 MiB)' },
  connect: { type: 'string', value: 'HOST:PORT', multiple: true, description: 'peer to connect to and keep connected' },
  crypto: { type: 'string', value: 'auto|native|portable|noble', description: 'crypto backend (default auto: native, else portable, else noble)' },
  'no-discovery': { type: 'boolean', description: 'do not advertise or browse with mDNS' },
  replicas: { type: 'string', value: 'N', description: 'default replication factor (default 2)' },
  'consent-timeout': { type: 'string', value: 'SECONDS', description: 'deny unanswered consent requests after this long (default 60)' },
  'log-level': { type: 'string', value: 'LEVEL', description: 'debug, info, warn or error (default info)' },
  'passphrase-fd': { type: 'string', value: 'N', description: "read the identity key's passphrase (or token PIN) from file descriptor N instead of asking" },
};

function intArg(ctx: CommandContext, name: string, min: number, max: number): number | undefined {
  const v = stringOpt(ctx, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!/^\d+$/.test(v.trim()) || n < min || n > max) throw new UsageError(`--${name} must be an integer from ${min} to ${max}`);
  return n;
}

/** Engine options from the node flags alone (no file read): bad flags are UsageErrors. */
export function engineOptionsFrom(ctx: CommandContext): EngineOptionsInput {
  const crypto = stringOpt(ctx, 'crypto');
  if (crypto !== undefined && !isCryptoChoice(crypto)) throw new UsageError(`--crypto must be ${CRYPTO_CHOICES.join(', ')}`);
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
    crypto,
    discovery: ctx.values['no-discovery'] ? false : undefined,
    connect,
    replicas: intArg(ctx, 'replicas', 1, 16),
    consentTimeoutMs: consentSeconds === undefined ? undefined : consentSeconds * 1000,
    logLevel,
  };
  for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
  return out as unknown as EngineOptionsInput;
}

/**
 * What a node started from this command line would run with: flags over config.json, checked by
 * the engine's own validation. Creates the home if needed. A damaged config.json is CONFIG_INVALID
 * naming the file; a bad flag is a UsageError. Prints a warning for a memory cap below the offer.
 */
export async function nodeStartupOptions(ctx: CommandContext): Promise<EngineOptionsInput> {
  const fromFlags = engineOptionsFrom(ctx);
  resolveEngineOptions(fromFlags); // the flags on their own: bad ones are refused before the home is touched
  await ensureHome(ctx.home);
  const fromFile = await readConfigFile(ctx.home);
  const options: EngineOptionsInput = { ...fromFile, ...fromFlags, connect: [...(fromFile.connect ?? []), ...(fromFlags.connect ?? [])] };
  const resolved = resolveEngineOptions(options);
  if (resolved.memoryBytes < resolved.offeredBytes) {
    // Allowed (a lender may want to lend only what fits beside its own data), but rarely meant.
    ctx.err.write(
      `memcloud: warning: the memory cap (${formatSize(resolved.memoryBytes)}) is below the offer (${formatSize(resolved.offeredBytes)}): ` +
        'peers are refused, or cache blocks evicted, once the cap is reached, before the offer is used up\n',
    );
  }
  return options;
}
