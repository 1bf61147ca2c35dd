// config.json in the home: settings a node starts with (command-line flags override them) and
// static peers. Validated strictly; a bad file stops the node with a message naming it.

import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { CRYPTO_CHOICES, isCryptoChoice } from '../crypto/backend-name';
import { ErrorCodes, MemCloudError } from '../errors';
import { homePaths } from '../home/paths';
import { parseSize } from '../store/sizes';
import { parseBuildCacheConfig } from '../buildcache/cache-config';
import { resolveEngineOptions, type EngineOptionsInput } from './engine-options';
import { parseStaticPeer, type StaticPeer } from '../session/peer-address';

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
  const size = (k: string) => {
    try {
      return parseSize(c[k] as string | number);
    } catch (err) {
      throw bad(`"${k}": ${(err as Error).message}`);
    }
  };
  // Ranges are engineOptionsInput's (checked through resolveEngineOptions below, in its words);
  // the file's own words for a wrong type, and what it spells differently: sizes, "peers", the cache.
  for (const k of ['name', 'host'] as const) {
    if (c[k] !== undefined && typeof c[k] !== 'string') throw bad(`"${k}" must be a string`);
  }
  if (c.discovery !== undefined && typeof c.discovery !== 'boolean') throw bad('"discovery" must be true or false');
  if (c.crypto !== undefined && !isCryptoChoice(c.crypto)) throw bad(`"crypto" must be one of ${CRYPTO_CHOICES.map((x) => `"${x}"`).join(', ')}`);
  for (const k of ['name', 'host', 'port', 'discovery', 'replicas', 'crypto'] as const) if (c[k] !== undefined) out[k] = c[k];
  if (c.offer !== undefined) out.offeredBytes = size('offer');
  if (c.memory !== undefined) out.memoryBytes = size('memory');
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
        return parseStaticPeer(p);
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
