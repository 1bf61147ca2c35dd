// The engine's options: one validated entry, whether they come from the CLI, VS Code settings or
// a worker message. Precise messages name the option and what is wrong.

import { hostname, totalmem } from 'node:os';
import { isAbsolute } from 'node:path';
import { CRYPTO_CHOICES, isCryptoChoice, type CryptoChoice } from '../crypto/backend-name';
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

function intIn(name: string, v: unknown, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) {
    throw bad(`${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(v)}`);
  }
  return v;
}

export function resolveEngineOptions(input: EngineOptionsInput): EngineOptions {
  if (typeof input.home !== 'string' || !isAbsolute(input.home)) throw bad('home must be an absolute path');
  const offeredBytes = input.offeredBytes ?? defaultOffer();
  intIn('offered memory', offeredBytes, 0, Number.MAX_SAFE_INTEGER);
  const memoryBytes = input.memoryBytes ?? offeredBytes + 512 * 1024 ** 2;
  intIn('memory cap', memoryBytes, 1024 * 1024, Number.MAX_SAFE_INTEGER);
  const name = input.name === undefined ? defaultDeviceName() : deviceNameFromInput(input.name);
  const crypto = input.crypto ?? 'auto';
  if (!isCryptoChoice(crypto)) throw bad(`crypto must be ${CRYPTO_CHOICES.join(', ')}, got ${JSON.stringify(crypto)}`);
  const connect = [...(input.connect ?? [])];
  for (const c of connect) {
    if (typeof c !== 'object' || c === null || typeof c.address !== 'string') throw bad('connect entries must be { address, publicKey? }');
    parseHostPort(c.address);
  }
  const logLevel = input.logLevel ?? 'info';
  if (!['debug', 'info', 'warn', 'error'].includes(logLevel)) throw bad(`log level must be debug, info, warn or error`);
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
    port: intIn('port', input.port ?? DEFAULT_PORT, 0, 65535),
    offeredBytes,
    memoryBytes,
    crypto,
    discovery: input.discovery ?? true,
    connect,
    replicas: intIn('replicas', input.replicas ?? 2, 1, 16),
    consentTimeoutMs: intIn('consent timeout (ms)', input.consentTimeoutMs ?? 60_000, 1000, 3_600_000),
    handshakeTimeoutMs: intIn('handshake timeout (ms)', input.handshakeTimeoutMs ?? 10_000, 100, 120_000),
    cryptoThreads: intIn('crypto threads', input.cryptoThreads ?? 2, 1, 64),
    logLevel,
    buildCache,
  };
}
