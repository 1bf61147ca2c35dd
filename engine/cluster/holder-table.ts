// The peers we can place blocks on, as the owner sees them: one PeerRpc per connected device, with
// what it lets us store (its last STAT, adjusted as we store and free), whether it is leaving, and
// the remote half of writing, reading and freeing a replica.

import type { Durability } from '../api/types';
import { ErrorCodes, MemCloudError, isMemCloudError } from '../errors';
import type { Session } from '../session/session-manager';
import { chargeOf } from '../store/block-cost';
import { SELF } from '../store/self';
import type { HolderId } from './replica-io';
import { PeerRpc, type PeerRequestHandler } from './peer-rpc';
import type { Candidate } from './placement';
import { fingerprint } from '../identity/fingerprint';
import { decodePublicKeyText } from '../identity/public-key';

function keyFingerprint(publicKey: string): string {
  const key = decodePublicKeyText(publicKey);
  return key ? fingerprint(key) : 'with an unreadable key';
}

interface Holder {
  readonly rpc: PeerRpc;
  available: number;
  allowed: number;
}

const STAT_INTERVAL_MS = 10_000;

export class HolderTable {
  private readonly holders = new Map<string, Holder>();
  private readonly statTimer: NodeJS.Timeout;

  constructor(private readonly onProtocolError: (rpc: PeerRpc, err: MemCloudError) => void) {
    this.statTimer = setInterval(() => void this.refreshStats(), STAT_INTERVAL_MS);
    this.statTimer.unref();
  }

  /** A new session: its RPC replaces any earlier one of the same device. */
  attach(session: Session, handler: PeerRequestHandler): PeerRpc {
    const rpc = new PeerRpc(session, handler, this.onProtocolError);
    const previous = this.holders.get(rpc.publicKey);
    this.holders.set(rpc.publicKey, { rpc, available: session.remote.offeredBytes, allowed: session.remote.offeredBytes });
    if (previous && previous.rpc !== rpc) previous.rpc.close();
    return rpc;
  }

  /** True when `rpc` is still the current RPC of its device. */
  isCurrent(rpc: PeerRpc): boolean {
    return this.holders.get(rpc.publicKey)?.rpc === rpc;
  }

  rpcFor(publicKey: string): PeerRpc | undefined {
    const s = this.holders.get(publicKey);
    return s?.rpc.isOpen ? s.rpc : undefined;
  }

  connectedRpcs(): PeerRpc[] {
    return [...this.holders.values()].filter((s) => s.rpc.isOpen).map((s) => s.rpc);
  }

  /** Bytes the holder lets us store there in total, as it last told us. */
  allowedOn(publicKey: string): number {
    return this.holders.get(publicKey)?.allowed ?? 0;
  }

  /** A holder still usable for new replicas and loads. */
  isLive(holder: HolderId): boolean {
    if (holder === SELF) return true;
    const s = this.holders.get(holder);
    return !!s && s.rpc.isOpen && !s.rpc.leaving;
  }

  /** A holder we can still read from (live, or leaving but connected). */
  isReadable(holder: HolderId): boolean {
    if (holder === SELF) return true;
    return this.holders.get(holder)?.rpc.isOpen ?? false;
  }

  /** How many connected, non-leaving peers there are, counting no further than `enough`. */
  liveCount(enough: number): number {
    let n = 0;
    for (const s of this.holders.values()) if (s.rpc.isOpen && !s.rpc.leaving && ++n >= enough) break;
    return n;
  }

  candidates(size: number, exclude: readonly HolderId[] = []): Candidate[] {
    const out: Candidate[] = [];
    for (const [pk, s] of this.holders) {
      if (s.rpc.isOpen && !s.rpc.leaving && !exclude.includes(pk) && s.available >= size) out.push({ id: pk, available: s.available });
    }
    return out;
  }

  /** Lower is nearer: this node first, then peers by measured latency. */
  rank(holder: HolderId): number {
    if (holder === SELF) return -1;
    const latency = this.holders.get(holder)?.rpc.session.channel.latencyMs ?? -1;
    return latency < 0 ? 1000 : latency;
  }

  name(holder: HolderId): string {
    if (holder === SELF) return 'this node';
    return this.holders.get(holder)?.rpc.name ?? `device ${keyFingerprint(holder)}`;
  }

  /** For messages: name and fingerprint, so a device is never named by a shortened key. */
  label(holder: HolderId): string {
    if (holder === SELF) return 'this node';
    const rpc = this.holders.get(holder)?.rpc;
    return rpc ? `${rpc.name} (${rpc.fingerprint})` : `device ${keyFingerprint(holder)}`;
  }

  async store(holder: string, id: string, durability: Durability, data: Uint8Array): Promise<void> {
    const s = this.open(holder);
    if (!s.rpc.writable) await s.rpc.whenWritable();
    try {
      await s.rpc.store(id, durability === 'cache' ? 1 : 0, data);
      s.available = Math.max(0, s.available - chargeOf(data.length));
    } catch (err) {
      if (isMemCloudError(err, 'QUOTA_EXCEEDED') || isMemCloudError(err, 'MEMORY_FULL')) s.available = 0; // until the next STAT
      // A holder that answers late may still store the block: a FREE behind the STORE on the same
      // session (served in order) takes it away again, so it is not charged to us meanwhile.
      if (isMemCloudError(err, 'TIMEOUT')) void this.free(holder, [id], 0);
      throw err;
    }
  }

  load(holder: string, id: string): Promise<Uint8Array> {
    return this.open(holder).rpc.load(id);
  }

  list(holder: string): Promise<string[]> {
    return this.open(holder).rpc.list();
  }

  /** Frees on a connected holder; a holder that is gone is cleaned up by reconcile when it returns. */
  async free(holder: string, ids: readonly string[], bytes: number): Promise<void> {
    const s = this.holders.get(holder);
    if (!s?.rpc.isOpen) return;
    try {
      await s.rpc.free(ids);
      s.available += bytes;
    } catch {
      // Reconcile on the next connection frees what this could not.
    }
  }

  /** The holder evicted or lost `bytes` of ours: that much room is back. */
  released(holder: string, bytes: number): void {
    const s = this.holders.get(holder);
    if (s) s.available += bytes;
  }

  /** Asks the holder again what it lets us store. */
  async refreshStat(holder: string): Promise<void> {
    const s = this.holders.get(holder);
    if (!s?.rpc.isOpen) return;
    try {
      const st = await s.rpc.stat();
      s.available = st.availableBytes;
      s.allowed = st.allowedBytes;
    } catch {
      // Keep the last estimate; the next refresh tries again.
    }
  }

  async refreshStats(): Promise<void> {
    await Promise.all([...this.holders.keys()].map((pk) => this.refreshStat(pk)));
  }

  close(): void {
    clearInterval(this.statTimer);
    for (const s of this.holders.values()) s.rpc.close();
  }

  private open(holder: string): Holder {
    const s = this.holders.get(holder);
    if (!s || !s.rpc.isOpen) throw new MemCloudError(ErrorCodes.PEER_GONE, `${this.name(holder)} is not connected`);
    return s;
  }
}
