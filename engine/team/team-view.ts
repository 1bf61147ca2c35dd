// What `memcloud team list/show` print: every team this device knows, from its files, with this
// device's roles in it (administrator, member, trusting).

import { ErrorCodes, MemCloudError } from '../errors';
import { fingerprint } from '../identity/fingerprint';
import { decodePublicKeyText, encodePublicKey } from '../identity/public-key';
import { isExpired } from './certificate';
import { revokes } from './revocation-list';
import { readTeamFile } from './team-file';
import { readTeamKeys } from './team-keys-file';

export type TeamRole = 'administrator' | 'member' | 'trusted';

export interface TeamInfo {
  readonly name: string;
  readonly publicKey: string;
  readonly fingerprint: string;
  readonly roles: TeamRole[];
  /** This device's certificate, when it is a member. */
  readonly certificate: { readonly serial: number; readonly deviceName: string; readonly expiresAt: number; readonly expired: boolean } | null;
  /** Certificates issued (administrator only). */
  readonly members: { name: string; publicKey: string; fingerprint: string; serial: number; expiresAt: number; status: 'valid' | 'expired' | 'revoked' }[] | null;
  readonly revocationSerial: number;
  readonly revoked: { publicKey: string; fingerprint: string; name: string | null }[];
}

const fp = (text: string) => {
  const k = decodePublicKeyText(text);
  return k ? fingerprint(k) : '?';
};

export async function describeTeams(home: string, now = Date.now()): Promise<TeamInfo[]> {
  const [file, admin] = await Promise.all([readTeamFile(home), readTeamKeys(home)]);
  const keys = new Map<string, string>();
  for (const t of admin) keys.set(t.publicKey, t.name);
  if (file.certificate) keys.set(encodePublicKey(file.certificate.teamKey), file.certificate.teamName);
  for (const t of file.trusted) if (!keys.has(t.publicKey)) keys.set(t.publicKey, t.name);
  return [...keys].map(([publicKey, name]) => {
    const own = admin.find((t) => t.publicKey === publicKey);
    const cert = file.certificate && encodePublicKey(file.certificate.teamKey) === publicKey ? file.certificate : null;
    const list = file.revocations.get(publicKey);
    const roles: TeamRole[] = [];
    if (own) roles.push('administrator');
    if (cert) roles.push('member');
    if (file.trusted.some((t) => t.publicKey === publicKey)) roles.push('trusted');
    const memberName = (k: string) => own?.members.find((m) => m.publicKey === k)?.name ?? null;
    return {
      name,
      publicKey,
      fingerprint: fp(publicKey),
      roles,
      certificate: cert ? { serial: cert.serial, deviceName: cert.deviceName, expiresAt: cert.expiresAt, expired: isExpired(cert, now) } : null,
      members: own
        ? own.members.map((m) => ({
            ...m,
            fingerprint: fp(m.publicKey),
            status: revokes(list, decodePublicKeyText(m.publicKey)!) ? ('revoked' as const) : m.expiresAt * 1000 <= now ? ('expired' as const) : ('valid' as const),
          }))
        : null,
      revocationSerial: list?.serial ?? 0,
      revoked: (list?.devices ?? []).map((d) => ({ publicKey: encodePublicKey(d), fingerprint: fingerprint(d), name: memberName(encodePublicKey(d)) })),
    };
  });
}

export function findTeam(teams: readonly TeamInfo[], query: string): TeamInfo {
  const q = query.trim();
  const found = teams.filter((t) => t.publicKey === q || t.name === q || t.fingerprint === q.toUpperCase());
  if (found.length === 1) return found[0]!;
  if (found.length > 1) throw new MemCloudError(ErrorCodes.BAD_ARGUMENT, `"${q}" names several teams; use the team key`);
  throw new MemCloudError(ErrorCodes.NOT_FOUND, `No team matches "${q}" (see \`memcloud team list\`)`);
}
