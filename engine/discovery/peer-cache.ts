// The browse side's record cache (RFC 6762 §10): which instances are around, their SRV/TXT and
// their host addresses, with TTL expiry and cache-flush. Bounded; changes come back as up/update/down.

import { orderAddresses } from './addresses';
import { MAX_ADDRESSES_PER_HOST, MAX_KNOWN_ANSWERS, MAX_QUESTIONS_PER_QUERY, MAX_TRACKED_INSTANCES, PREFERRED_RESERVE, SERVICE_TYPE } from './constants';
import type { AddressRecord, DiscoveryRecord } from './records';
import type { TxtFields } from './txt';
import type { DiscoveredPeer, PeerChanges } from './types';

interface Timed<T> {
  readonly value: T;
  readonly expiresAt: number;
  readonly ttl: number;
}

interface InstanceEntry {
  readonly label: string;
  /** The address that first announced this instance: only it may say goodbye for it (section 8.1). */
  readonly origin: string | undefined;
  ptr: Timed<true>;
  srv?: Timed<{ readonly target: string; readonly port: number }>;
  txt?: Timed<TxtFields>;
  lastSeen: number;
}

interface HostEntry {
  readonly addresses: Map<string, { readonly family: 4 | 6; readonly expiresAt: number }>;
  source?: string;
  /** The address that first sent this host's address records: only it may withdraw them. */
  readonly origin: string | undefined;
  lastSeen: number;
}

export interface PeerCacheOptions {
  readonly ownPublicKey: string;
  readonly ownInstance: string;
  readonly maxInstances?: number;
  /**
   * Keys that get room even when hostile traffic has filled the table with resolved peers (the
   * engine passes its trusted devices): such a peer displaces the least recently seen other one.
   */
  readonly isPreferred?: (publicKey: string) => boolean;
  readonly now?: () => number;
}

export interface MissingRecord {
  readonly name: string;
  readonly type: 'SRV' | 'TXT' | 'A' | 'AAAA';
}

const timed = <T>(value: T, ttl: number, now: number): Timed<T> => ({ value, ttl, expiresAt: now + ttl * 1000 });

function samePeer(a: DiscoveredPeer, b: DiscoveredPeer): boolean {
  return (
    a.instance === b.instance && a.publicKey === b.publicKey && a.name === b.name && a.fingerprint === b.fingerprint &&
    a.protocolVersion === b.protocolVersion && a.offeredBytes === b.offeredBytes && a.port === b.port &&
    a.addresses.length === b.addresses.length && a.addresses.every((x, i) => x === b.addresses[i])
  );
}

export class PeerCache {
  private readonly instances = new Map<string, InstanceEntry>(); // key: lower-case label; LRU order
  private readonly hosts = new Map<string, HostEntry>();
  private readonly published = new Map<string, DiscoveredPeer>();
  private readonly ownKey: string;
  private readonly ownInstance: string;
  private readonly maxInstances: number;
  private readonly isPreferred: (publicKey: string) => boolean;
  private readonly now: () => number;

  constructor(opts: PeerCacheOptions) {
    this.ownKey = opts.ownPublicKey;
    this.ownInstance = opts.ownInstance.toLowerCase();
    this.maxInstances = opts.maxInstances ?? MAX_TRACKED_INSTANCES;
    this.isPreferred = opts.isPreferred ?? (() => false);
    this.now = opts.now ?? Date.now;
  }

  /** Take in the validated records of one response; `source` is the sender's address. */
  apply(records: readonly DiscoveryRecord[], source?: string): PeerChanges {
    const now = this.now();
    for (const r of records) if (r.kind === 'ptr') this.applyPtr(r.instance, r.ttl, now, source);
    for (const r of records) {
      const entry = r.kind === 'srv' || r.kind === 'txt' ? this.instances.get(r.instance.toLowerCase()) : undefined;
      if (entry === undefined) continue;
      // A goodbye (TTL 0) counts only from the address that first announced the instance (section 8.1).
      if (r.ttl === 0 && source !== entry.origin) continue;
      if (r.kind === 'srv') {
        entry.srv = r.ttl === 0 ? undefined : timed({ target: r.target, port: r.port }, r.ttl, now);
      } else if (r.kind === 'txt') {
        if (r.fields?.publicKey === this.ownKey) {
          this.instances.delete(r.instance.toLowerCase()); // our own key: an echo or an impostor
          continue;
        }
        if (r.ttl === 0) entry.txt = undefined;
        else if (r.fields !== undefined) entry.txt = timed(r.fields, r.ttl, now);
        else continue; // invalid TXT: keep what we had
      }
      entry.lastSeen = now;
    }
    this.applyAddresses(records.filter((r): r is AddressRecord => r.kind === 'address'), source, now);
    this.collectHosts();
    return this.reconcile(now);
  }

  /** Drop whatever has outlived its TTL. */
  expire(): PeerChanges {
    const now = this.now();
    for (const [key, e] of this.instances) {
      if (e.ptr.expiresAt <= now) this.instances.delete(key);
      if (e.srv !== undefined && e.srv.expiresAt <= now) delete e.srv;
      if (e.txt !== undefined && e.txt.expiresAt <= now) delete e.txt;
    }
    for (const h of this.hosts.values()) {
      for (const [addr, v] of h.addresses) if (v.expiresAt <= now) h.addresses.delete(addr);
    }
    this.collectHosts();
    return this.reconcile(now);
  }

  peers(): DiscoveredPeer[] {
    return [...this.published.values()];
  }

  /** Instances tracked, resolved or not (maxInstances, plus PREFERRED_RESERVE while a full table resolves a newcomer). */
  get size(): number {
    return this.instances.size;
  }

  /** What to ask for to finish resolving the instances we know of (RFC 6763 §4.3). */
  missing(): MissingRecord[] {
    const out: MissingRecord[] = [];
    for (const e of this.instances.values()) {
      const fqdn = `${e.label}.${SERVICE_TYPE}`;
      if (e.srv === undefined) out.push({ name: fqdn, type: 'SRV' });
      if (e.txt === undefined) out.push({ name: fqdn, type: 'TXT' });
      if (e.srv !== undefined && (this.hosts.get(e.srv.value.target)?.addresses.size ?? 0) === 0) {
        out.push({ name: e.srv.value.target, type: 'A' }, { name: e.srv.value.target, type: 'AAAA' });
      }
      if (out.length >= MAX_QUESTIONS_PER_QUERY) break;
    }
    return out.slice(0, MAX_QUESTIONS_PER_QUERY);
  }

  /** Instance labels whose PTR still has more than half its TTL, with the seconds left (RFC 6762 §7.1). */
  knownAnswers(): Array<{ instance: string; ttl: number }> {
    const now = this.now();
    const out: Array<{ instance: string; ttl: number }> = [];
    for (const e of this.instances.values()) {
      const left = Math.floor((e.ptr.expiresAt - now) / 1000);
      if (left > e.ptr.ttl / 2) out.push({ instance: e.label, ttl: left });
      if (out.length >= MAX_KNOWN_ANSWERS) break;
    }
    return out;
  }

  /** True when some instance is past 80% of its PTR lifetime: time to ask again (RFC 6762 §5.2). */
  refreshDue(): boolean {
    const now = this.now();
    for (const e of this.instances.values()) if (e.ptr.expiresAt - now < e.ptr.ttl * 200) return true;
    return false;
  }

  private applyPtr(label: string, ttl: number, now: number, source: string | undefined): void {
    const key = label.toLowerCase();
    if (key === this.ownInstance) return;
    const entry = this.instances.get(key);
    if (ttl === 0) {
      if (entry !== undefined && source === entry.origin) this.instances.delete(key); // goodbye, from who announced it
      return;
    }
    if (entry !== undefined) {
      this.instances.delete(key); // re-insert: most recently refreshed goes last
      this.instances.set(key, { ...entry, ptr: timed(true as const, ttl, now), lastSeen: now });
      return;
    }
    // Full: the least recently refreshed unresolved instance makes room. When every slot holds a
    // resolved peer (a flood of complete fake announcements), a few reserve slots still let a
    // newcomer resolve, so that a preferred (trusted) device can displace one (see reconcile).
    if (this.instances.size >= this.maxInstances && !this.evictUnresolved() && this.instances.size >= this.maxInstances + PREFERRED_RESERVE) return;
    this.instances.set(key, { label, origin: source, ptr: timed(true as const, ttl, now), lastSeen: now });
  }

  /** Make room by dropping the least recently refreshed instance that never resolved. */
  private evictUnresolved(): boolean {
    for (const key of this.instances.keys()) {
      if (!this.published.has(key)) {
        this.instances.delete(key);
        return true;
      }
    }
    return false;
  }

  private applyAddresses(records: readonly AddressRecord[], source: string | undefined, now: number): void {
    const wanted = new Set<string>();
    for (const e of this.instances.values()) if (e.srv !== undefined) wanted.add(e.srv.value.target);
    const flushed = new Set<string>();
    for (const r of records) {
      if (!wanted.has(r.host)) continue; // only addresses of hosts an instance points at
      let host = this.hosts.get(r.host);
      if (host === undefined) {
        if (r.ttl === 0) continue;
        host = { addresses: new Map(), origin: source, lastSeen: now };
        this.hosts.set(r.host, host);
      }
      if (r.ttl === 0 && source !== host.origin) continue; // a withdrawal only from who first announced
      // Cache-flush (RFC 6762 §10.2): this packet's set replaces the host's set of that family. It
      // withdraws the other addresses, so like a goodbye it counts only from the host's first announcer.
      const rrset = `${r.host} ${r.family}`;
      if (r.flush && source === host.origin && !flushed.has(rrset)) {
        flushed.add(rrset);
        for (const [addr, v] of host.addresses) if (v.family === r.family) host.addresses.delete(addr);
      }
      host.addresses.delete(r.address);
      if (r.ttl > 0 && host.addresses.size < MAX_ADDRESSES_PER_HOST) {
        host.addresses.set(r.address, { family: r.family, expiresAt: now + r.ttl * 1000 });
        if (r.address === source && source === host.origin) host.source = source; // tried first: only its announcer says so
      }
      host.lastSeen = now;
    }
  }

  private collectHosts(): void {
    const wanted = new Set<string>();
    for (const e of this.instances.values()) if (e.srv !== undefined) wanted.add(e.srv.value.target);
    for (const name of this.hosts.keys()) if (!wanted.has(name)) this.hosts.delete(name);
  }

  private view(e: InstanceEntry, now: number): DiscoveredPeer | undefined {
    const { srv, txt } = e;
    if (e.ptr.expiresAt <= now || srv === undefined || txt === undefined) return undefined;
    if (srv.expiresAt <= now || txt.expiresAt <= now) return undefined;
    const host = this.hosts.get(srv.value.target);
    if (host === undefined) return undefined;
    const live = [...host.addresses].filter(([, v]) => v.expiresAt > now).map(([addr]) => addr);
    if (live.length === 0) return undefined;
    return {
      instance: e.label,
      ...txt.value,
      addresses: orderAddresses(live, host.source),
      port: srv.value.port,
      lastSeen: Math.max(e.lastSeen, host.lastSeen),
    };
  }

  private reconcile(now: number): PeerChanges {
    const changes: PeerChanges = { up: [], update: [], down: [] };
    let dropped = false;
    for (const [key, before] of this.published) {
      const entry = this.instances.get(key);
      if (entry === undefined || this.view(entry, now) === undefined) {
        this.published.delete(key);
        changes.down.push(before);
      }
    }
    for (const [key, entry] of this.instances) {
      const peer = this.view(entry, now);
      if (peer === undefined) continue;
      const before = this.published.get(key);
      if (before === undefined && this.published.size >= this.maxInstances) {
        // The table of resolved peers is full: a preferred newcomer takes the place of the least
        // recently seen other peer; anyone else is dropped, never published past the cap.
        const victim = this.isPreferred(peer.publicKey) ? this.leastRecentlySeenOther() : undefined;
        dropped = true;
        if (victim === undefined) {
          this.instances.delete(key);
          continue;
        }
        this.instances.delete(victim);
        changes.down.push(this.published.get(victim)!);
        this.published.delete(victim);
      }
      this.published.set(key, peer);
      if (before === undefined) changes.up.push(peer);
      else if (!samePeer(before, peer)) changes.update.push(peer);
    }
    if (dropped) this.collectHosts();
    return changes;
  }

  private leastRecentlySeenOther(): string | undefined {
    let oldest: [string, number] | undefined;
    for (const [key, p] of this.published) {
      if (this.isPreferred(p.publicKey)) continue;
      if (oldest === undefined || p.lastSeen < oldest[1]) oldest = [key, p.lastSeen];
    }
    return oldest?.[0];
  }
}
