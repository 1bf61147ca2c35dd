// What any device does with teams, on team.json: install its certificate (join), trust a team's
// members, stop trusting a team. A running node sees the file change within about a second.

import { timingSafeEqual } from 'node:crypto';
import { ErrorCodes, MemCloudError } from '../errors';
import { fingerprint } from '../identity/fingerprint';
import { decodePublicKeyText, encodePublicKey, parsePublicKey } from '../identity/public-key';
import { certificateSignatureValid, checkTeamName, isExpired, parseCertificateText, type TeamCertificate } from './certificate';
import { revokes } from './revocation-list';
import { updateTeamFile } from './team-file';
import { withTrustedTeam } from './team-admin';

function bad(message: string): MemCloudError {
  return new MemCloudError(ErrorCodes.BAD_ARGUMENT, message);
}

export interface JoinOptions {
  /**
   * The user confirmed leaving the team this device belongs to. Without it, joining another team
   * while a certificate of a team is still valid changes nothing and fails with
   * CONFIRMATION_REQUIRED (a device carries one certificate: the old team's members would stop
   * admitting it). Renewing the same team's certificate, or replacing an expired one, needs none.
   */
  readonly replace?: boolean;
  readonly now?: Date;
}

/** The membership joining `cert` would end: a still valid certificate of another team, or null. */
export function membershipEndedBy(current: TeamCertificate | null, cert: TeamCertificate, now: Date): TeamCertificate | null {
  if (current === null || isExpired(current, now.getTime())) return null;
  const sameTeam = current.teamKey.length === cert.teamKey.length && timingSafeEqual(current.teamKey, cert.teamKey);
  return sameTeam ? null : current;
}

function replaceUnconfirmed(current: TeamCertificate, cert: TeamCertificate): MemCloudError {
  return new MemCloudError(
    ErrorCodes.CONFIRMATION_REQUIRED,
    `This device is a member of team ${current.teamName} (certificate ${current.serial}, valid until ${new Date(current.expiresAt * 1000).toISOString().slice(0, 10)}). ` +
      `A device carries one team certificate: joining team ${cert.teamName} ends that membership, and the members of ${current.teamName} stop admitting it without a prompt. Nothing was changed`,
  );
}

/** Checks a certificate for this device and makes it the one its handshakes carry. */
export async function joinTeam(home: string, certText: string, ownKey: Uint8Array, opts: JoinOptions = {}): Promise<{ cert: TeamCertificate; replaced: TeamCertificate | null }> {
  const now = opts.now ?? new Date();
  const cert = parseCertificateText(certText);
  if (!certificateSignatureValid(cert)) throw bad('This certificate is not signed by the team key it names: it was altered or forged');
  if (cert.deviceKey.length !== ownKey.length || !timingSafeEqual(cert.deviceKey, ownKey)) {
    throw bad('This certificate is for another device (its device key is not the one `memcloud id` prints here). Ask the team administrator for one issued to this device\'s key');
  }
  if (isExpired(cert, now.getTime())) throw bad(`This certificate expired ${new Date(cert.expiresAt * 1000).toISOString()}; ask the team administrator for a new one`);
  let replaced: TeamCertificate | null = null;
  await updateTeamFile(home, (f) => {
    if (revokes(f.revocations.get(encodePublicKey(cert.teamKey)), ownKey)) throw bad(`This device is revoked from team ${cert.teamName}`);
    const ended = membershipEndedBy(f.certificate, cert, now);
    if (ended && !opts.replace) throw replaceUnconfirmed(ended, cert);
    replaced = f.certificate;
    return { ...f, certificate: cert };
  });
  return { cert, replaced };
}

/** `memcloud trust add --team KEY`: members with a valid certificate of this team are admitted without a prompt. */
export async function trustTeam(home: string, teamKeyText: string, name: string | undefined, now = new Date()): Promise<{ publicKey: string; name: string }> {
  const publicKey = encodePublicKey(parsePublicKey(teamKeyText));
  let chosen = '';
  await updateTeamFile(home, (f) => {
    const known = f.certificate && encodePublicKey(f.certificate.teamKey) === publicKey ? f.certificate.teamName : undefined;
    chosen = checkTeamName(name ?? f.trusted.find((t) => t.publicKey === publicKey)?.name ?? known ?? `team-${publicKey.slice(0, 6)}`, 'team name');
    return withTrustedTeam(f, publicKey, chosen, now);
  });
  return { publicKey, name: chosen };
}

/** The trusted team a query names: its key (base64url or hex), its name or its key's fingerprint. */
function matchesTeam(t: { publicKey: string; name: string }, query: string): boolean {
  const q = query.trim();
  let key: string | undefined;
  try {
    key = encodePublicKey(parsePublicKey(q));
  } catch {
    key = undefined;
  }
  const teamKey = decodePublicKeyText(t.publicKey);
  return key === t.publicKey || t.name === q || (teamKey !== undefined && fingerprint(teamKey) === q.toUpperCase());
}

/**
 * Stops admitting a team's members without a prompt. A running node sees team.json change and
 * closes the sessions this team alone admitted (engine/team/team-gossip.ts).
 */
export async function untrustTeam(home: string, query: string): Promise<{ publicKey: string; name: string }> {
  let removed: { publicKey: string; name: string } | undefined;
  await updateTeamFile(home, (f) => {
    const found = f.trusted.filter((t) => matchesTeam(t, query));
    if (found.length > 1) throw bad(`"${query}" names several trusted teams; use the team key`);
    removed = found[0];
    if (!removed) throw new MemCloudError(ErrorCodes.NOT_FOUND, `No trusted team matches "${query}" (see \`memcloud team list\`)`);
    return { ...f, trusted: f.trusted.filter((t) => t !== removed) };
  });
  return removed!;
}
