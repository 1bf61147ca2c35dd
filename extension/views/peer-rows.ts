// Rows of the Peers view: discovered, connecting, connected, pending-consent and offline trusted
// devices (no vscode; unit-tested).

import type { PeerInfo, PeerState } from '../../engine/api/types';
import { formatSize, latencyBucket, shortFingerprint } from './format';
import type { Row } from './rows';

/** The state word in contextValue: `peer:<state>:<trusted|untrusted>`. */
export function peerStateWord(state: PeerState): string {
  return state === 'pending-consent' ? 'pending' : state;
}

export function peerContextValue(p: PeerInfo): string {
  return `peer:${peerStateWord(p.state)}:${p.trusted ? 'trusted' : 'untrusted'}`;
}

const ICONS: Readonly<Record<PeerState, Row['icon']>> = {
  connected: { id: 'vm-active', color: 'charts.green' },
  connecting: { id: 'sync' },
  'pending-consent': { id: 'question', color: 'charts.yellow' },
  discovered: { id: 'vm-outline' },
  disconnected: { id: 'vm', color: 'disabledForeground' },
};

function usage(p: PeerInfo): string {
  return `offers ${formatSize(p.offeredBytes)}, we use ${formatSize(p.usedByUsBytes)}`;
}

/** Shown on a device named like one we trust: it is not that device. */
const LOOKALIKE_ICON: Row['icon'] = { id: 'warning', color: 'list.warningForeground' };

function describe(p: PeerInfo): string {
  const address = p.addresses[0];
  const parts = [shortFingerprint(p.fingerprint)];
  if (p.nameMatchesTrustedFingerprint) parts.push(`NOT your trusted device ${shortFingerprint(p.nameMatchesTrustedFingerprint)}`);
  switch (p.state) {
    case 'connected':
    case 'connecting':
      if (p.team !== undefined) parts.push(`team ${p.team}`);
      if (address) parts.push(address);
      parts.push(usage(p));
      if (p.state === 'connecting') parts.push('connecting');
      else {
        const latency = latencyBucket(p.latencyMs);
        if (latency) parts.push(latency);
      }
      break;
    case 'pending-consent':
      parts.push('waiting for your consent');
      if (address) parts.push(address);
      break;
    case 'discovered':
      if (address) parts.push(address);
      parts.push(`offers ${formatSize(p.offeredBytes)}`);
      if (!p.trusted) parts.push('not trusted');
      break;
    case 'disconnected':
      parts.push('offline');
      break;
  }
  return parts.join(' · ');
}

function tooltip(p: PeerInfo): string {
  const lines = [
    `${p.name}`,
    `Fingerprint: ${p.fingerprint}`,
    `State: ${p.state === 'pending-consent' ? 'waiting for your consent' : p.state}${p.trusted ? ' (trusted)' : p.team !== undefined ? ` (admitted by its certificate of team ${p.team})` : ' (not trusted)'}`,
  ];
  if (p.nameMatchesTrustedFingerprint) {
    lines.push(`Warning: the device you trust under a name like this one has fingerprint ${p.nameMatchesTrustedFingerprint}; this is a different key.`);
  }
  if (p.addresses.length > 0) lines.push(`Address: ${p.addresses.join(', ')}`);
  if (p.state === 'connected' || p.state === 'discovered') lines.push(`Offers: ${formatSize(p.offeredBytes)}`);
  if (p.state === 'connected') {
    lines.push(`We store there: ${formatSize(p.usedByUsBytes)}`);
    lines.push(`It stores here: ${formatSize(p.storedHereBytes)} of ${formatSize(p.allowedBytes)} allowed`);
    lines.push(`Latency: ${latencyBucket(p.latencyMs) ?? 'unknown'}${p.direction ? `, ${p.direction} session` : ''}`);
  }
  return lines.join('\n');
}

export function peerRow(p: PeerInfo): Row {
  return {
    id: `peer:${p.publicKey}`,
    label: p.name,
    description: describe(p),
    tooltip: tooltip(p),
    contextValue: peerContextValue(p),
    icon: p.nameMatchesTrustedFingerprint ? LOOKALIKE_ICON : ICONS[p.state],
  };
}

/** Connected first, then waiting for consent, then the rest; by name within each group. */
export function peerRows(peers: readonly PeerInfo[]): Row[] {
  const rank: Record<PeerState, number> = { connected: 0, connecting: 1, 'pending-consent': 2, discovered: 3, disconnected: 4 };
  return [...peers].sort((a, b) => rank[a.state] - rank[b.state] || a.name.localeCompare(b.name)).map(peerRow);
}

export function connectedCount(peers: readonly PeerInfo[]): number {
  return peers.filter((p) => p.state === 'connected').length;
}
