// Inbound connections that have not finished the handshake ("half-open"), limited per source and
// in all (docs/protocol.md section 4.1), so strangers cannot fill the node and lock out friends.
// A newcomer over a limit takes the place of the oldest connection that has not even sent message 1
// (a silent socket costs us nothing to drop); when every slot holds a connection already doing
// its handshake, the newcomer is refused instead.

import { isIPv6 } from 'node:net';

export interface HalfOpenLimitOptions {
  /** Half-open connections per source (an IPv4 address or an IPv6 /64). */
  readonly perSource: number;
  /** Half-open connections in all. */
  readonly total: number;
}

export const DEFAULT_HALF_OPEN_LIMITS: HalfOpenLimitOptions = { perSource: 8, total: 128 };

/** One connection's place; `evict` is how the limiter closes it to make room. */
export interface HalfOpenSlot {
  readonly source: string;
  /** True once message 1 arrived: the connection is doing a handshake and is never evicted. */
  started: boolean;
  readonly evict: () => void;
}

/** The unit connections are counted by: an IPv4 address, or the /64 an IPv6 address is in. */
export function sourceOf(remoteAddress: string | undefined): string {
  if (remoteAddress === undefined) return '?';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(remoteAddress);
  if (mapped) return mapped[1]!;
  if (!isIPv6(remoteAddress)) return remoteAddress;
  return `${expandIPv6(remoteAddress).slice(0, 4).join(':')}::/64`;
}

function expandIPv6(address: string): string[] {
  const [head, tail] = address.split('%')[0]!.split('::') as [string, string | undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const zeros = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...zeros, ...right].map((g) => g.toLowerCase().replace(/^0+(?=.)/, ''));
}

export class HalfOpenLimits {
  /** Per source, oldest first. */
  private readonly bySource = new Map<string, HalfOpenSlot[]>();
  private count = 0;

  constructor(private readonly limits: HalfOpenLimitOptions = DEFAULT_HALF_OPEN_LIMITS) {
    if (!Number.isInteger(limits.perSource) || limits.perSource < 1) throw new RangeError('perSource must be a positive integer');
    if (!Number.isInteger(limits.total) || limits.total < limits.perSource) throw new RangeError('total must be an integer >= perSource');
  }

  get size(): number {
    return this.count;
  }

  /** Takes a place for a new connection from `source`, evicting an idle one if needed; null when refused. */
  reserve(source: string, evict: () => void): HalfOpenSlot | null {
    const mine = this.bySource.get(source) ?? [];
    if (mine.length >= this.limits.perSource && !this.evictIdle(mine)) return null;
    if (this.count >= this.limits.total && !this.evictIdle(this.busiestWithIdle())) return null;
    const slot: HalfOpenSlot = { source, started: false, evict };
    mine.push(slot);
    this.bySource.set(source, mine);
    this.count++;
    return slot;
  }

  /** The connection finished its handshake (or failed): its place is free. Idempotent. */
  release(slot: HalfOpenSlot): void {
    const list = this.bySource.get(slot.source);
    const i = list?.indexOf(slot) ?? -1;
    if (!list || i < 0) return;
    list.splice(i, 1);
    this.count--;
    if (list.length === 0) this.bySource.delete(slot.source);
  }

  /** The source holding the most places among those with an idle connection: it pays for the newcomer. */
  private busiestWithIdle(): HalfOpenSlot[] {
    let busiest: HalfOpenSlot[] = [];
    for (const list of this.bySource.values()) if (list.length > busiest.length && list.some((s) => !s.started)) busiest = list;
    return busiest;
  }

  /** Drops the oldest connection of `list` that never sent message 1; false if there is none. */
  private evictIdle(list: readonly HalfOpenSlot[]): boolean {
    const idle = list.find((s) => !s.started);
    if (!idle) return false;
    this.release(idle);
    idle.evict();
    return true;
  }
}
