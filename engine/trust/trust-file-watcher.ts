// Applies edits other processes make to trusted_devices.json (the CLI while no control socket is
// used, or a person with an editor) to a running store: a revocation closes sessions within about
// a second. A corrupt edit is reported and ignored: the store keeps its last good state.

import { unwatchFile, watchFile, type Stats } from 'node:fs';
import { isMemCloudError } from '../errors';
import type { TrustStore } from './trust-store';

/** Also watches team.json (engine/team/team-state.ts), which reloads the same way. */
export function watchTrustFile(store: Pick<TrustStore, 'path' | 'reloadFromDisk'>, onError: (message: string) => void, intervalMs = 1000): () => void {
  const listener = (curr: Stats, prev: Stats) => {
    if (curr.mtimeMs === prev.mtimeMs && curr.size === prev.size && curr.ino === prev.ino) return;
    store.reloadFromDisk().catch((err: unknown) => {
      onError(`${isMemCloudError(err) ? err.message : String(err)} (keeping the last valid trust list)`);
    });
  };
  watchFile(store.path, { interval: intervalMs, persistent: false }, listener);
  return () => unwatchFile(store.path, listener);
}
