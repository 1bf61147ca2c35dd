// Coarse text for labels (no vscode; unit-tested). Values that move all the time (latency, bytes
// in use, timestamps) are rounded or bucketed, so the trees only redraw when what a person would
// read actually changes.

import { LOCAL_HOLDER, type ReplicaInfo } from '../../engine/api/types';
import { formatSize } from '../../engine/store/sizes';

export { formatSize };

/** Where a copy is, as VS Code says it: this machine, or the holder's name. */
export function holderLabel(r: ReplicaInfo): string {
  return r.holder === LOCAL_HOLDER ? 'this machine' : r.holderName;
}

/** The first two groups of a fingerprint (`7K3Q-MX2A`): enough to tell devices apart in a list. */
export function shortFingerprint(fingerprint: string): string {
  return fingerprint.split('-').slice(0, 2).join('-');
}

const LATENCY_BUCKETS_MS = [1, 5, 20, 100, 500] as const;

/** '<1 ms', '<5 ms', '<20 ms', '<100 ms', '<500 ms', '≥500 ms'; undefined when unknown. */
export function latencyBucket(ms: number | null | undefined): string | undefined {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return undefined;
  for (const limit of LATENCY_BUCKETS_MS) if (ms < limit) return `<${limit} ms`;
  return `≥${LATENCY_BUCKETS_MS[LATENCY_BUCKETS_MS.length - 1]} ms`;
}

/** `2025-06-01` from an ISO time; the text itself when it does not parse. */
export function day(iso: string): string {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? iso : new Date(t).toISOString().slice(0, 10);
}

/** `2025-06-01 14:03` (UTC) from an ISO time or epoch ms. */
export function minute(time: string | number): string {
  const t = typeof time === 'number' ? time : Date.parse(time);
  return Number.isNaN(t) ? String(time) : new Date(t).toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
}

/** How a device came to be trusted, in words. */
export function approvalText(approval: string): string {
  switch (approval) {
    case 'cli':
      return 'added with the memcloud CLI';
    case 'extension':
      return 'added in VS Code';
    case 'consent-always':
      return 'approved when it asked to connect';
    default:
      return approval;
  }
}

/** `A`, `A and B`, `A, B and 2 more`. */
export function nameList(names: readonly string[], max = 2): string {
  if (names.length === 0) return 'nowhere';
  if (names.length <= max) return names.length === 1 ? names[0]! : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
  return `${names.slice(0, max).join(', ')} and ${names.length - max} more`;
}

/** "1 peer", "2 peers"; "1 copy", "2 copies" with the plural given. */
export function count(n: number, noun: string, plural = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : plural}`;
}
