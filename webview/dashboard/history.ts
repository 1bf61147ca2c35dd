// The throughput history behind the dashboard's sparkline: one sample per stats poll, bounded.
// The extension host owns it (so a reloaded webview gets it back); the webview only draws it.

import type { Stats } from '../../engine/api/types';

export interface ThroughputSample {
  readonly at: number;
  readonly sentPerSec: number;
  readonly receivedPerSec: number;
  readonly opsPerSec: number;
}

/** One minute at the 1 s poll. */
export const HISTORY_LENGTH = 60;

/**
 * The history with `stats` appended, oldest samples dropped beyond `max`. A sample not newer than
 * the last one (the same snapshot read twice) is not added again.
 */
export function appendSample(history: readonly ThroughputSample[], stats: Stats, max = HISTORY_LENGTH): ThroughputSample[] {
  const last = history[history.length - 1];
  if (last !== undefined && stats.at <= last.at) return history.slice(-max);
  const sample: ThroughputSample = {
    at: stats.at,
    sentPerSec: Math.max(0, stats.throughput.sentPerSec),
    receivedPerSec: Math.max(0, stats.throughput.receivedPerSec),
    opsPerSec: Math.max(0, stats.ops.perSec),
  };
  return [...history, sample].slice(-max);
}
