// Short labels for the dashboard: rates, latency, ops, fingerprints, percentages.

import { formatSize } from '../../engine/store/sizes';

export { formatSize };

export function formatRate(bytesPerSec: number): string {
  return `${formatSize(Math.max(0, bytesPerSec))}/s`;
}

export function formatOps(perSec: number): string {
  const v = Math.max(0, perSec);
  return `${v >= 100 ? Math.round(v) : Number(v.toFixed(1))} ops/s`;
}

export function formatLatency(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1) return '< 1 ms';
  return `${ms < 10 ? Number(ms.toFixed(1)) : Math.round(ms)} ms`;
}

/** The first two groups of a fingerprint (`7K3Q-MX2A-P9RT-4WZC` -> `7K3Q-MX2A`), as the CLI shows it. */
export function shortFingerprint(fingerprint: string): string {
  return fingerprint.split('-').slice(0, 2).join('-');
}

/** `part` of `whole` in percent, 0..100; 0 when there is no whole. */
export function percentOf(part: number, whole: number): number {
  if (!(whole > 0) || !(part > 0)) return 0;
  return Math.min(100, (part / whole) * 100);
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
