// config.json in the home: settings a node starts with (command-line flags override them) and
// static peers. Validated strictly; a bad file stops the node with a message naming it.

import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { CRYPTO_CHOICES, isCryptoChoice } from '../crypto/backend-name';
import { ErrorCodes, MemCloudError } from '../errors';
import { homePaths } from '../home/paths';
import { parsePublicKey } from '../identity/public-key';
import { parseSize } from '../store/sizes';
import { parseBuildCacheConfig } from '../buildcache/cache-config';
import { resolveEngineOptions, type EngineOptionsInput } from './engine-options';
import { parseHostPort, type StaticPeer } from '../session/peer-address';

const KEYS = new Set(['name', 'port', 'host', 'offer', 'memory', 'discovery', 'replicas', 'crypto', 'peers', 'buildCache']);

export async function readConfigFile(home: string): Promise<Partial<EngineOptionsInput>> {
  const path = homePaths(home).config;
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new MemCloudError(ErrorCodes.CONFIG_INVALID, `cannot read ${path}: ${(err as Error).message}`);
  }
  const bad = (why: string) =>
    new MemCloudError(ErrorCodes.CONFIG_INVALID, `${path}: ${why}. Fix the file or move it aside (it is optional).`);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw bad(`not valid JSON (${(err as Error).message})`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw bad('expected a JSON object');
  const c = raw as Record<string, unknown>;
  for (const k of Object.keys(c)) if (!KEYS.has(k)) throw bad(`unknown setting "${k}" (known: ${[...KEYS].join(', ')})`);
  const out: Record<string, unknown> = {};
  const str = (k: string) => {
    if (c[k] === undefined) return undefined;
    if (typeof c[k] !== 'string') throw bad(`"${k}" must be a string`);
    return c[k] as string;
  };
  const size = (k: string) => {
    const v = c[k];
    if (v === undefined) return undefined;
    try {
      return parseSize(v as string | number);
    } catch (err) {
      throw bad(`"${k}": ${(err as Error).message}`);
    }
  };
  if (c.name !== undefined) out.name = str('name');
  if (c.host !== undefined) out.host = str('host');
  if (c.port !== undefined) out.port = c.port;
  if (c.offer !== undefined) out.offeredBytes = size('offer');
  if (c.memory !== undefined) out.memoryBytes = size('memory');
  if (c.discovery !== undefined) {
    if (typeof c.discovery !== 'boolean') throw bad('"discovery" must be true or false');
    out.discovery = c.discovery;
  }
  if (c.replicas !== undefined) out.replicas = c.replicas;
  if (c.crypto !== undefined) {
    if (!isCryptoChoice(c.crypto)) throw bad(`"crypto" must be one of ${CRYPTO_CHOICES.map((x) => `"${x}"`).join(', ')}`);
    out.crypto = c.crypto;
  }
  if (c.buildCache !== undefined) {
    try {
      parseBuildCacheConfig(c.buildCache);
    } catch (err) {
      throw bad((err as Error).message);
    }
    out.buildCache = c.buildCache;
  }
  if (c.peers !== undefined) {
    if (!Array.isArray(c.peers)) throw bad('"peers" must be a list');
    out.connect = c.peers.map((p, i): StaticPeer => {
      try {
        if (typeof p === 'string') return { address: (parseHostPort(p), p) };
        if (typeof p === 'object' && p !== null && typeof (p as { address?: unknown }).address === 'string') {
          const { address, publicKey } = p as { address: string; publicKey?: unknown };
          parseHostPort(address);
          if (publicKey === undefined) return { address };
          if (typeof publicKey !== 'string') throw new Error('publicKey must be a string');
          parsePublicKey(publicKey);
          return { address, publicKey };
        }
        throw new Error('expected "HOST:PORT" or {"address": "HOST:PORT", "publicKey": "..."}');
      } catch (err) {
        throw bad(`peers[${i}]: ${(err as Error).message}`);
      }
    });
  }
  try {
    // The file on its own must make valid options (types, ranges, the device name), so a bad value
    // is reported as the file's, not as a bad flag.
    resolveEngineOptions({ ...out, home: resolve(home) });
  } catch (err) {
    throw bad((err as Error).message);
  }
  return out as Partial<EngineOptionsInput>;
}
