// What the team commands offer (no vscode; unit-tested): the members an administrator can revoke,
// the teams a device can stop trusting, and what a certificate file may hold.

import { ErrorCodes, MemCloudError } from '../../engine/errors';
import { CERTIFICATE_TEXT_PREFIX, MAX_CERTIFICATE_BYTES } from '../../engine/team/certificate';
import type { TeamInfo } from '../../engine/team/team-view';
import { day } from '../views/format';
import type { PickEntry } from '../ui/safe-ui';

export interface MemberChoice {
  readonly teamKey: string;
  readonly teamName: string;
  readonly deviceKey: string;
  readonly name: string;
  readonly fingerprint: string;
}

/** Members of the teams this device administers that are not revoked yet (expired ones too: a certificate can be renewed). */
export function revocableMembers(teams: readonly TeamInfo[]): PickEntry<MemberChoice>[] {
  const admin = teams.filter((t) => t.roles.includes('administrator') && t.members);
  return admin.flatMap((t) =>
    t
      .members!.filter((m) => m.status !== 'revoked')
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((m) => ({
        icon: 'person',
        label: m.name,
        description: admin.length > 1 ? `team ${t.name}` : m.status === 'expired' ? 'certificate expired' : `expires ${day(new Date(m.expiresAt * 1000).toISOString())}`,
        detail: `Fingerprint ${m.fingerprint}`,
        value: { teamKey: t.publicKey, teamName: t.name, deviceKey: m.publicKey, name: m.name, fingerprint: m.fingerprint },
      })),
  );
}

/** The member a tree row or a string names, among the revocable ones. */
export function memberFor(teams: readonly TeamInfo[], teamKey: string | undefined, deviceKey: string): MemberChoice | undefined {
  return revocableMembers(teams)
    .map((e) => e.value)
    .find((m) => m.deviceKey === deviceKey && (teamKey === undefined || m.teamKey === teamKey));
}

export function trustedTeams(teams: readonly TeamInfo[]): PickEntry<TeamInfo>[] {
  return teams
    .filter((t) => t.roles.includes('trusted'))
    .map((t) => ({ icon: 'organization', label: `team ${t.name}`, detail: `Team key fingerprint ${t.fingerprint}`, value: t }));
}

/** A certificate file is one short line of text; anything else is refused before it is parsed. */
export const MAX_CERTIFICATE_FILE_BYTES = CERTIFICATE_TEXT_PREFIX.length + Math.ceil((MAX_CERTIFICATE_BYTES * 4) / 3) + 64;

export function certificateFromFile(bytes: Uint8Array, path: string): string {
  if (bytes.length > MAX_CERTIFICATE_FILE_BYTES) {
    throw new MemCloudError(ErrorCodes.BAD_ARGUMENT, `"${path}" is ${bytes.length} bytes: not a team certificate (a certificate is one line of at most ${MAX_CERTIFICATE_FILE_BYTES} bytes starting with ${CERTIFICATE_TEXT_PREFIX})`);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new MemCloudError(ErrorCodes.BAD_ARGUMENT, `"${path}" is not text: not a team certificate`);
  }
  return text.trim();
}

/** What the paste box says before the certificate is checked (the full check happens on join). */
export function certificateInputProblem(value: string): string | undefined {
  const t = value.trim();
  if (t === '') return `Paste the line \`memcloud team add\` printed on the team administrator's device (it starts with ${CERTIFICATE_TEXT_PREFIX})`;
  if (!t.startsWith(CERTIFICATE_TEXT_PREFIX)) return `A team certificate starts with ${CERTIFICATE_TEXT_PREFIX}`;
  return undefined;
}
