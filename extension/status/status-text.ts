// The status bar entry's text and tooltip (no vscode; unit-tested): pooled RAM and connected peers,
// and the build cache's hit rate while its endpoint listens.

import type { BuildCacheStatus } from '../../engine/api/build-cache-types';
import { fileProblems } from '../../engine/api/file-problems';
import { hitRate, totals } from '../../engine/buildcache/cache-stats';
import type { Snapshot } from '../model/node-model';
import type { NodeStateKey } from '../node/node-connection';
import { count, formatSize } from '../views/format';

export interface StatusText {
  readonly text: string;
  readonly tooltip: string;
  /** Set while a trust file (trusted_devices.json, team.json) cannot be used: the entry is shown as a warning and a click opens it. */
  readonly trustFile?: string;
}

export function statusText(state: NodeStateKey, hosted: boolean, snap: Snapshot): StatusText {
  switch (state) {
    case 'starting':
      return { text: '$(sync~spin) MemCloud', tooltip: 'MemCloud: attaching to the node or starting one...' };
    case 'stopped':
      return { text: '$(circle-slash) MemCloud', tooltip: 'MemCloud: no node is running. Run "MemCloud: Start Node" to start one.' };
    case 'failed':
      return { text: '$(error) MemCloud', tooltip: 'MemCloud: the node could not be started or reached. See the MemCloud output.' };
    case 'running':
      break;
  }
  const pool = snap.stats?.pool ?? { offeredBytes: 0, connectedPeers: 0 };
  const problem = fileProblems(snap.status)[0];
  if (problem) {
    return {
      text: `$(warning) MemCloud: fix ${problem.file}`,
      tooltip: `MemCloud: ${problem.effect} Click to open it.\n${problem.message}`,
      trustFile: problem.path,
    };
  }
  const lines = ['MemCloud — click to open the dashboard'];
  if (snap.status) lines.push(`Node "${snap.status.name}" (${snap.status.fingerprint}), ${hosted ? 'running in this window' : 'running elsewhere (attached)'}`);
  lines.push(`Pool: ${formatSize(pool.offeredBytes)} offered by ${count(pool.connectedPeers, 'connected peer')}`);
  if (snap.stats) {
    lines.push(`Stored on peers: ${formatSize(snap.stats.borrowed.usedBytes)}; peers store here: ${formatSize(snap.stats.lent.usedBytes)} of ${formatSize(snap.stats.lent.offeredBytes)} offered`);
  }
  const cache = snap.cache?.running ? cacheText(snap.cache) : null;
  if (cache) lines.push(cache.tooltip);
  return { text: `$(server-environment) ${formatSize(pool.offeredBytes)} · ${count(pool.connectedPeers, 'peer')}${cache ? ` · ${cache.text}` : ''}`, tooltip: lines.join('\n') };
}

/** "cache 87%" (or "cache –" before the first lookup) and a line for the tooltip. */
export function cacheText(cache: BuildCacheStatus): StatusText {
  const all = totals(cache);
  const rate = hitRate(all);
  const shown = rate === null ? '–' : `${Math.round(rate * 100)}%`;
  return {
    text: `cache ${shown}`,
    tooltip: `Build cache at ${cache.url}: hit rate ${shown} (${count(all.hits, 'hit')}, ${count(all.misses, 'miss', 'misses')}), ${count(cache.entries, 'entry', 'entries')} (${formatSize(cache.bytes)})`,
  };
}
