// Rows of the Trusted Devices view for teams (no vscode; unit-tested): one row per team this device
// administers, belongs to or trusts, with this device's roles; its members as children. Names in
// certificates and team names are peer text: rows are plain text (row-tree-provider.ts).
// An administrator sees every certificate it issued (fingerprint, expiry, revoked ones marked);
// a member or a trusting device sees its own certificate, the devices the team revoked that it
// knows, and the devices connected now by this team's certificate.

import type { PeerInfo } from '../../engine/api/types';
import type { TeamInfo, TeamRole } from '../../engine/team/team-view';
import { day } from './format';
import type { Row } from './rows';

const ROLE_WORDS: Readonly<Record<TeamRole, string>> = { administrator: 'admin', member: 'member', trusted: 'members admitted' };

/** `team:<roles joined by :>`: menus match on it (e.g. /^team:.*:admin/ for Revoke Team Member). */
export function teamContextValue(t: TeamInfo): string {
  return ['team', ...t.roles.map((r) => (r === 'administrator' ? 'admin' : r))].join(':');
}

/** The id of a member row, from which commands read the member's key (memberKeyOfRowId). */
export function memberRowId(teamKey: string, deviceKey: string): string {
  return `team:${teamKey}:member:${deviceKey}`;
}

export function memberKeyOfRowId(id: string): string | undefined {
  const m = /^team:[^:]+:member:([^:]+)$/.exec(id);
  return m?.[1];
}

type Member = NonNullable<TeamInfo['members']>[number];

/** Context values of a team's child rows: a member an administrator can revoke, or not. */
export const MemberContext = {
  valid: 'member:valid',
  revoked: 'member:revoked',
  self: 'member:self',
  peer: 'member:peer',
} as const;

function memberRow(t: TeamInfo, m: Member, connected: boolean): Row {
  const expiry = `expires ${day(new Date(m.expiresAt * 1000).toISOString())}`;
  const state = m.status === 'revoked' ? 'REVOKED' : m.status === 'expired' ? `EXPIRED (${expiry.slice(8)})` : expiry;
  return {
    id: memberRowId(t.publicKey, m.publicKey),
    label: m.name,
    description: [m.fingerprint, state, ...(connected && m.status === 'valid' ? ['connected'] : [])].join(' · '),
    tooltip: [m.name, `Fingerprint: ${m.fingerprint}`, `Certificate serial ${m.serial}, ${m.status === 'revoked' ? 'revoked' : expiry}`].join('\n'),
    contextValue: m.status === 'revoked' ? MemberContext.revoked : MemberContext.valid,
    icon: m.status === 'revoked' ? { id: 'circle-slash', color: 'errorForeground' } : m.status === 'expired' ? { id: 'history', color: 'disabledForeground' } : { id: 'person' },
  };
}

function ownCertificateRow(t: TeamInfo, cert: NonNullable<TeamInfo['certificate']>): Row {
  const expiry = day(new Date(cert.expiresAt * 1000).toISOString());
  return {
    id: `team:${t.publicKey}:own`,
    label: cert.deviceName,
    description: `this device · ${cert.expired ? `certificate EXPIRED ${expiry}` : `certificate expires ${expiry}`}`,
    tooltip: `This device is a member of team ${t.name} as ${cert.deviceName} (certificate serial ${cert.serial}).`,
    contextValue: MemberContext.self,
    icon: cert.expired ? { id: 'history', color: 'disabledForeground' } : { id: 'account' },
  };
}

function revokedRow(t: TeamInfo, d: TeamInfo['revoked'][number]): Row {
  return {
    id: memberRowId(t.publicKey, d.publicKey),
    label: d.name ?? d.fingerprint,
    description: `${d.fingerprint} · REVOKED`,
    tooltip: `Revoked from team ${t.name} (list serial ${t.revocationSerial}): not admitted by its certificate.`,
    contextValue: MemberContext.revoked,
    icon: { id: 'circle-slash', color: 'errorForeground' },
  };
}

function connectedRow(t: TeamInfo, p: PeerInfo): Row {
  return {
    id: memberRowId(t.publicKey, p.publicKey),
    label: p.name,
    description: `${p.fingerprint} · connected by team certificate`,
    tooltip: `${p.name}\nFingerprint: ${p.fingerprint}\nAdmitted by its certificate of team ${t.name}.`,
    contextValue: MemberContext.peer,
    icon: { id: 'person', color: 'charts.green' },
  };
}

export function teamRow(t: TeamInfo, peers: readonly PeerInfo[]): Row {
  const byTeam = peers.filter((p) => p.state === 'connected' && p.team === t.name);
  const connected = new Set(byTeam.map((p) => p.publicKey));
  const children: Row[] = [];
  if (t.certificate) children.push(ownCertificateRow(t, t.certificate));
  if (t.members) {
    const order = { valid: 0, expired: 1, revoked: 2 } as const;
    const members = [...t.members].sort((a, b) => order[a.status] - order[b.status] || a.name.localeCompare(b.name));
    for (const m of members) children.push(memberRow(t, m, connected.has(m.publicKey)));
  } else {
    for (const p of byTeam) children.push(connectedRow(t, p));
    for (const d of t.revoked) if (!connected.has(d.publicKey)) children.push(revokedRow(t, d));
  }
  const roles = t.roles.map((r) => ROLE_WORDS[r]).join(', ');
  return {
    id: `team:${t.publicKey}`,
    label: `team ${t.name}`,
    description: `${roles} · ${t.fingerprint}`,
    tooltip: [
      `team ${t.name}`,
      `Team key fingerprint: ${t.fingerprint}`,
      ...(t.roles.includes('administrator') ? ['This device is its administrator: it issues and revokes certificates.'] : []),
      ...(t.roles.includes('member') ? ['This device is a member: its certificate admits it where the team is trusted.'] : []),
      ...(t.roles.includes('trusted') ? ['Members with a valid certificate are admitted here without a prompt.'] : ['Its members are not admitted here by their certificates.']),
      ...(t.revocationSerial > 0 ? [`Revocation list serial ${t.revocationSerial} (${t.revoked.length} revoked)`] : []),
    ].join('\n'),
    contextValue: teamContextValue(t),
    icon: { id: 'organization', color: t.roles.includes('trusted') ? 'charts.green' : undefined },
    children,
  };
}

/** Teams by name. */
export function teamRows(teams: readonly TeamInfo[], peers: readonly PeerInfo[]): Row[] {
  return [...teams].sort((a, b) => a.name.localeCompare(b.name) || a.publicKey.localeCompare(b.publicKey)).map((t) => teamRow(t, peers));
}
