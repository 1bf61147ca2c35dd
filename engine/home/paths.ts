// Every file MemCloud keeps in its home directory, named once.

import { join } from 'node:path';

export const HomeFileNames = {
  identityKey: 'identity_key',
  /** Held while the identity key moves between protection forms. */
  identityLock: 'identity_key.lock',
  trustedDevices: 'trusted_devices.json',
  config: 'config.json',
  nodeLock: 'node.lock',
  controlSocket: 'control.sock',
  controlPipe: 'control.pipe',
  nodePid: 'node.pid',
  nodeLog: 'node.log',
  ownerIndex: 'owner-index.json',
  ownerCatalog: 'owner-catalog',
  ownerJournal: 'owner-journal',
  buildCacheToken: 'buildcache_token',
  buildCacheState: 'buildcache.json',
  gradleInitScript: 'memcloud-init.gradle',
  /** Team certificate, trusted teams, revocation lists (engine/team). */
  teamFile: 'team.json',
  /** Secret keys of the teams this device administers (engine/team). */
  teamKeys: 'team_keys.json',
  /** Seals this node's blocks; never leaves the machine. */
  dataKey: 'data_key',
} as const;

export type HomeFileKey = keyof typeof HomeFileNames;

export type HomePaths = { readonly home: string } & { readonly [K in HomeFileKey]: string };

/** Absolute paths of the files in `home` (which should already be absolute; see resolveHome). */
export function homePaths(home: string): HomePaths {
  const out: Record<string, string> = { home };
  for (const [key, name] of Object.entries(HomeFileNames)) out[key] = join(home, name);
  return Object.freeze(out) as HomePaths;
}
