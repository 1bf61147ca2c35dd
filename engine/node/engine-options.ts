// The engine's options: one validated entry, whether they come from the CLI, VS Code settings or
// a worker message. Precise messages name the option and what is wrong.

import { hostname, totalmem } from 'node:os';
import { isAbsolute } from 'node:path';
import { checkArgument } from '../api/arguments';
import { anything, arr, bool, int, literal, obj, rule, str, type Schema } from '../api/schema';
import { MAX_REPLICAS } from '../api/schemas';
import { CRYPTO_CHOICES, type CryptoChoice } from '../crypto/backend-name';
import { ErrorCodes, MemCloudError } from '../errors';
import { deviceNameFromInput, sanitizeDeviceName } from '../identity/device-name';
import { parseBuildCacheConfig, type BuildCacheConfig } from '../buildcache/cache-config';
import { DEFAULT_PORT, parseHostPort, type StaticPeer } from '../session/peer-address';

export type { CryptoChoice } from '../crypto/backend-name';

export interface EngineOptions {
  readonly home: string;
  readonly name: string;
  readonly host: string;
  /** TCP port for peers; 0 picks a free one. */
  readonly port: number;
  /** RAM offered to peers in total. */
  readonly offeredBytes: number;
  /** Cap on everything this node keeps in RAM (its own local data and what peers store here). */
  readonly memoryBytes: number;
  readonly crypto: CryptoChoice;
  readonly discovery: boolean;
  /** Peers to dial at start and keep connected. */
  readonly connect: readonly StaticPeer[];
  /** Default replication factor when enough peers are connected. */
  readonly replicas: number;
  readonly consentTimeoutMs: number;
  readonly handshakeTimeoutMs: number;
  /** Crypto pool threads. */
  readonly cryptoThreads: number;
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** The build-cache endpoint (config.json "buildCache"). */
  readonly buildCache: BuildCacheConfig;
}

export type EngineOptionsInput = Partial<Omit<EngineOptions, 'buildCache'>> & { readonly home: string; readonly buildCache?: unknown };

export function defaultOffer(): number {
  return Math.min(4 * 1024 ** 3, Math.floor(totalmem() / 4));
}

/** This machine's host name, made to follow the device-name rule (docs/protocol.md section 3.3.1). */
export function defaultDeviceName(host: string = hostname()): string {
  return sanitizeDeviceName(host) ?? 'memcloud-node';
}

function bad(message: string): MemCloudError {
  return new MemCloudError(ErrorCodes.BAD_ARGUMENT, message);
}

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;

/**
 * The ranges of the numeric options, once: the schema below checks them, and VS Code's settings
 * (extension/settings/settings.ts) take their bounds from here.
 */
export const OPTION_RANGES = {
  port: { label: 'port', min: 0, max: 65535 },
  offeredBytes: { label: 'offered memory', min: 0, max: Number.MAX_SAFE_INTEGER },
  memoryBytes: { label: 'memory cap', min: 1024 * 1024, max: Number.MAX_SAFE_INTEGER },
  replicas: { label: 'replicas', min: 1, max: MAX_REPLICAS },
  consentTimeoutMs: { label: 'consent timeout (ms)', min: 1000, max: 3_600_000 },
  handshakeTimeoutMs: { label: 'handshake timeout (ms)', min: 100, max: 120_000 },
  cryptoThreads: { label: 'crypto threads', min: 1, max: 64 },
} as const;

function ranged(key: keyof typeof OPTION_RANGES): Schema<number> {
  const { label, min, max } = OPTION_RANGES[key];
  return rule(int(min, max), (v) => `${label} must be an integer from ${min} to ${max}, got ${JSON.stringify(v)}`);
}

/**
 * Engine options as any source gives them (CLI flags, config.json, VS Code settings, the worker's
 * start message): one schema, so every source is held to the same rules with the same words.
 */
export const engineOptionsInput = obj(
  { home: rule(str, 'home must be an absolute path') },
  {
    name: rule(str, 'name must be text'),
    host: rule(str, 'host must be text'),
    port: ranged('port'),
    offeredBytes: ranged('offeredBytes'),
    memoryBytes: ranged('memoryBytes'),
    crypto: rule(literal(...CRYPTO_CHOICES), (v) => `crypto must be ${CRYPTO_CHOICES.join(', ')}, got ${JSON.stringify(v)}`),
    discovery: rule(bool, 'discovery must be true or false'),
    connect: rule(arr(obj({ address: str }, { publicKey: str })), 'connect entries must be { address, publicKey? }'),
    replicas: ranged('replicas'),
    consentTimeoutMs: ranged('consentTimeoutMs'),
    handshakeTimeoutMs: ranged('handshakeTimeoutMs'),
    cryptoThreads: ranged('cryptoThreads'),
    logLevel: rule(literal(...LOG_LEVELS), 'log level must be debug, info, warn or error'),
    // Its own parser (buildcache/cache-config.ts) below, with its own messages.
    buildCache: anything,
  },
);

export function resolveEngineOptions(raw: EngineOptionsInput): EngineOptions {
  const input = checkArgument(engineOptionsInput, raw, 'options');
  if (!isAbsolute(input.home)) throw bad('home must be an absolute path');
  const offeredBytes = input.offeredBytes ?? defaultOffer();
  const memoryBytes = checkArgument(ranged('memoryBytes'), input.memoryBytes ?? offeredBytes + 512 * 1024 ** 2, 'memoryBytes');
  const name = input.name === undefined ? defaultDeviceName() : deviceNameFromInput(input.name);
  const connect = [...(input.connect ?? [])];
  for (const c of connect) parseHostPort(c.address);
  let buildCache: BuildCacheConfig;
  try {
    buildCache = parseBuildCacheConfig(input.buildCache);
  } catch (err) {
    throw bad((err as Error).message);
  }
  return {
    home: input.home,
    name,
    host: input.host ?? '0.0.0.0',
    port: input.port ?? DEFAULT_PORT,
    offeredBytes,
    memoryBytes,
    crypto: input.crypto ?? 'auto',
    discovery: input.discovery ?? true,
    connect,
    replicas: input.replicas ?? 2,
    consentTimeoutMs: input.consentTimeoutMs ?? 60_000,
    handshakeTimeoutMs: input.handshakeTimeoutMs ?? 10_000,
    cryptoThreads: input.cryptoThreads ?? 2,
    logLevel: input.logLevel ?? 'info',
    buildCache,
  };
}
