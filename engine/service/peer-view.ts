// The peers list as people see it: connected sessions, pending consent requests, devices
// discovered on the LAN, and trusted devices that are offline, merged by identity key.

import type { ConsentRequestInfo, PeerInfo, TrustedDeviceInfo } from '../api/types';
import type { HolderService } from '../cluster/holder-service';
import type { ConsentQueue } from '../consent/consent-queue';
import type { Catalog } from '../data/catalog';
import { lookalikeCheck } from '../consent/lookalike';
import type { DiscoveredPeer } from '../discovery';
import { fingerprint } from '../identity/fingerprint';
import type { SessionManager } from '../session/session-manager';
import type { TrustStore } from '../trust/trust-store';
import type { TrustedDevice } from '../trust/trust-file';

export interface PeerSources {
  readonly sessions: SessionManager;
  readonly catalog: Catalog;
  readonly holder: HolderService;
  readonly consent: ConsentQueue;
  readonly trust: TrustStore;
  readonly discovered: () => readonly DiscoveredPeer[];
  readonly defaultAllowance: () => number;
}

/** Fingerprint of a key text that came from our own records (already validated once). */
export function fingerprintOf(publicKey: string): string {
  const key = Buffer.from(publicKey, 'base64url');
  return key.length === 32 ? fingerprint(key) : '?';
}

export function allowanceOf(src: PeerSources, publicKey: string): number {
  return src.trust.getByText(publicKey)?.allowedBytes ?? src.defaultAllowance();
}

export function listPeers(src: PeerSources): PeerInfo[] {
  const out = new Map<string, PeerInfo>();
  const devices = src.trust.list();
  const trusted = new Map(devices.map((d) => [d.publicKey, d]));
  const lookalike = lookalikeCheck(devices);
  const base = (publicKey: string, name: string): Omit<PeerInfo, 'state' | 'addresses' | 'offeredBytes' | 'latencyMs' | 'direction'> => {
    const isTrusted = trusted.get(publicKey)?.status === 'trusted';
    const shown = trusted.get(publicKey)?.name ?? name;
    const like = isTrusted ? undefined : lookalike(shown);
    return {
      publicKey,
      fingerprint: fingerprintOf(publicKey),
      name: shown,
      trusted: isTrusted,
      usedByUsBytes: src.catalog.bytesOn(publicKey),
      storedHereBytes: src.holder.stat(publicKey).usedBytes,
      allowedBytes: allowanceOf(src, publicKey),
      ...(like ? { nameMatchesTrustedFingerprint: like } : {}),
    };
  };
  for (const s of src.sessions.sessions()) {
    if (out.has(s.publicKey)) continue;
    out.set(s.publicKey, {
      ...base(s.publicKey, s.remote.name),
      state: 'connected',
      addresses: [s.address],
      offeredBytes: s.remote.offeredBytes,
      latencyMs: s.channel.latencyMs < 0 ? null : s.channel.latencyMs,
      direction: s.direction,
      ...(s.team ? { team: s.team.teamName } : {}),
    });
  }
  for (const r of src.consent.list()) {
    if (out.has(r.publicKey)) continue;
    out.set(r.publicKey, {
      ...base(r.publicKey, r.name),
      state: 'pending-consent',
      addresses: [r.address],
      offeredBytes: r.offeredBytes,
      latencyMs: null,
      direction: r.direction,
      consentId: r.id,
    });
  }
  for (const d of src.discovered()) {
    if (out.has(d.publicKey) || trusted.get(d.publicKey)?.status === 'revoked') continue;
    out.set(d.publicKey, {
      ...base(d.publicKey, d.name),
      state: 'discovered',
      addresses: d.addresses.map((a) => (a.includes(':') ? `[${a}]:${d.port}` : `${a}:${d.port}`)),
      offeredBytes: d.offeredBytes,
      latencyMs: null,
      direction: null,
    });
  }
  for (const d of trusted.values()) {
    if (out.has(d.publicKey) || d.status !== 'trusted') continue;
    out.set(d.publicKey, { ...base(d.publicKey, d.name), state: 'disconnected', addresses: [], offeredBytes: 0, latencyMs: null, direction: null });
  }
  return [...out.values()].sort((a, b) => a.name.localeCompare(b.name));
}

export function trustedInfo(d: TrustedDevice, connected: boolean): TrustedDeviceInfo {
  return {
    publicKey: d.publicKey,
    fingerprint: fingerprintOf(d.publicKey),
    name: d.name,
    firstSeen: d.firstSeen,
    lastSeen: d.lastSeen,
    approval: d.approval,
    status: d.status,
    allowedBytes: d.allowedBytes ?? null,
    connected,
  };
}

export function consentInfo(r: ReturnType<ConsentQueue['list']>[number]): ConsentRequestInfo {
  return {
    id: r.id,
    publicKey: r.publicKey,
    fingerprint: r.fingerprint,
    name: r.name,
    address: r.address,
    offeredBytes: r.offeredBytes,
    direction: r.direction,
    ...(r.nameMatchesTrustedFingerprint ? { nameMatchesTrustedFingerprint: r.nameMatchesTrustedFingerprint } : {}),
    createdAt: r.createdAt,
    expiresAt: r.expiresAt,
  };
}
