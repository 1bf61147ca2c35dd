// Where and when to dial a trusted device that discovery reports (docs/protocol.md section 8.1).
// Advertisements are unauthenticated: anyone on the LAN can claim a trusted key at any address and
// port. So the address a key last authenticated from comes first, the number of addresses and
// the rate of attempts per key are bounded, and a privileged port (below 1024) is dialed only
// where that key has authenticated before: a forged record cannot turn the node into a scanner.

import { isIPv4 } from 'node:net';

export interface DialTarget {
  readonly host: string;
  readonly port: number;
}

/** One advertisement of a key: its addresses and port. */
export interface Advertised {
  readonly addresses: readonly string[];
  readonly port: number;
}

export interface DialPlanOptions {
  /** Minimum gap between two dial rounds for one key. */
  readonly minGapMs?: number;
  /** The gap doubles after each failed round, up to this. */
  readonly maxGapMs?: number;
  /** Addresses tried in one round. */
  readonly maxTargets?: number;
  readonly now?: () => number;
}

export const DIAL_MIN_GAP_MS = 10_000;
export const DIAL_MAX_GAP_MS = 5 * 60_000;
export const DIAL_MAX_TARGETS = 4;
/** Ports below this are dialed only where the key has authenticated before. */
const FIRST_UNPRIVILEGED_PORT = 1024;

interface KeyState {
  /** Where this key last authenticated: its address, and the port if we dialed it there. */
  host?: string;
  port?: number;
  gapMs: number;
  nextAt: number;
}

/** IPv4-mapped IPv6 addresses as plain IPv4, so one machine has one spelling. */
function plainHost(host: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(host);
  return m && isIPv4(m[1]!) ? m[1]! : host;
}

export class DialPlan {
  private readonly keys = new Map<string, KeyState>();
  private readonly minGap: number;
  private readonly maxGap: number;
  private readonly maxTargets: number;
  private readonly now: () => number;

  constructor(opts: DialPlanOptions = {}) {
    this.minGap = opts.minGapMs ?? DIAL_MIN_GAP_MS;
    this.maxGap = opts.maxGapMs ?? DIAL_MAX_GAP_MS;
    this.maxTargets = opts.maxTargets ?? DIAL_MAX_TARGETS;
    this.now = opts.now ?? Date.now;
  }

  /** A session with `publicKey` was authenticated: with the peer at `host` (and `port`, when we dialed). */
  authenticated(publicKey: string, host: string, port: number | undefined): void {
    const st = this.state(publicKey);
    const plain = plainHost(host);
    if (st.host !== plain || port !== undefined) st.port = port;
    st.host = plain;
    st.gapMs = this.minGap;
  }

  /**
   * The addresses to try now for `publicKey`, given where it is advertised (most recent first),
   * best first; empty when a round for this key ran less than its gap ago. Taking a plan starts the gap.
   */
  take(publicKey: string, advertised: readonly Advertised[]): DialTarget[] {
    const st = this.state(publicKey);
    const now = this.now();
    if (now < st.nextAt) return [];
    const targets: DialTarget[] = [];
    const add = (t: DialTarget) => {
      if (!targets.some((x) => x.host === t.host && x.port === t.port)) targets.push(t);
    };
    if (st.host !== undefined && st.port !== undefined) add({ host: st.host, port: st.port });
    for (const ad of advertised) if (st.host !== undefined && ad.addresses.some((a) => plainHost(a) === st.host)) add({ host: st.host, port: ad.port });
    for (const ad of advertised) for (const a of ad.addresses) add({ host: plainHost(a), port: ad.port });
    const allowed = targets.filter((t) => t.port >= FIRST_UNPRIVILEGED_PORT || (t.host === st.host && t.port === st.port)).slice(0, this.maxTargets);
    if (allowed.length > 0) st.nextAt = now + st.gapMs;
    return allowed;
  }

  /** The round found nobody with that key: wait longer before the next one. */
  failed(publicKey: string): void {
    const st = this.state(publicKey);
    st.gapMs = Math.min(this.maxGap, st.gapMs * 2);
    st.nextAt = this.now() + st.gapMs;
  }

  /** Ms until a round for this key may run (0: now). */
  waitFor(publicKey: string): number {
    return Math.max(0, (this.keys.get(publicKey)?.nextAt ?? 0) - this.now());
  }

  private state(publicKey: string): KeyState {
    let st = this.keys.get(publicKey);
    if (!st) {
      st = { gapMs: this.minGap, nextAt: 0 };
      this.keys.set(publicKey, st);
    }
    return st;
  }
}
