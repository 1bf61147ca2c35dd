// config.json in the home: settings a node starts with (command-line flags override them) and
// static peers. Validated strictly (its schema below, through api/json-file.ts); a bad file stops
// the node with a message naming it.

import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseJsonFile } from '../api/json-file';
import { anything, arr, bool, literal, obj, parsedBy, rule, str } from '../api/schema';
import { CRYPTO_CHOICES } from '../crypto/backend-name';
import { ErrorCodes, MemCloudError } from '../errors';
import { homePaths } from '../home/paths';
import { parseSize } from '../store/sizes';
import { buildCacheSetting } from '../buildcache/cache-config';
import { resolveEngineOptions, type EngineOptionsInput } from './engine-options';
import { parseStaticPeer, type StaticPeer } from '../session/peer-address';

const SETTINGS = ['name', 'port', 'host', 'offer', 'memory', 'discovery', 'replicas', 'crypto', 'peers', 'buildCache'] as const;

const size = (field: string) => parsedBy(anything, (v) => parseSize(v as string | number), field);

/**
 * config.json as people write it. Ranges are engineOptionsInput's (checked through
 * resolveEngineOptions, in its words); the file has its own words for a wrong type, and spells
 * some settings its own way: sizes ("4gb"), "peers", the build cache.
 */
const configFile = obj(
  {},
  {
    name: rule(str, '"name" must be a string'),
    host: rule(str, '"host" must be a string'),
    port: anything,
    replicas: anything,
    discovery: rule(bool, '"discovery" must be true or false'),
    crypto: rule(literal(...CRYPTO_CHOICES), `"crypto" must be one of ${CRYPTO_CHOICES.map((x) => `"${x}"`).join(', ')}`),
    offer: size('offer'),
    memory: size('memory'),
    peers: rule(arr(anything), '"peers" must be a list'),
    buildCache: buildCacheSetting,
  },
  (field) => `unknown setting ${JSON.stringify(field)} (known: ${SETTINGS.join(', ')})`,
);

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
  const c = parseJsonFile(text, configFile);
  if (typeof c === 'string') throw bad(c);
  const out: { -readonly [K in keyof EngineOptionsInput]?: unknown } = {};
  for (const k of ['name', 'host', 'port', 'discovery', 'replicas', 'crypto', 'buildCache'] as const) if (c[k] !== undefined) out[k] = c[k];
  if (c.offer !== undefined) out.offeredBytes = parseSize(c.offer as string | number);
  if (c.memory !== undefined) out.memoryBytes = parseSize(c.memory as string | number);
  if (c.peers !== undefined) {
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
    resolveEngineOptions({ ...out, home: resolve(home) } as EngineOptionsInput);
  } catch (err) {
    throw bad((err as Error).message);
  }
  return out as Partial<EngineOptionsInput>;
}
