// What a team's administrator does, on the files in the home (team_keys.json, team.json): make a
// team, issue certificates, revoke devices. A running node sees team.json change and acts on it
// (engine/team/team-state.ts). Never needs the node, never unlocks the device's identity key.

import { ErrorCodes, MemCloudError } from '../errors';
import { encodePublicKey, parsePublicKey } from '../identity/public-key';
import { fallbackDeviceName, findDevice } from '../trust/device-query';
import { issueCertificate, type TeamCertificate } from './certificate';
import { revokes, signRevocationList, type RevocationList } from './revocation-list';
import { MAX_KNOWN_TEAMS, readTeamFile, updateTeamFile, type TeamFile } from './team-file';
import { MAX_ADMIN_TEAMS, newAdminTeam, readTeamKeys, teamSecret, writeTeamKeys, type AdminTeam } from './team-keys-file';

export interface CreatedTeam {
  readonly team: AdminTeam;
  /** This device's own certificate, installed unless it already had one of another team. */
  readonly certificate: TeamCertificate;
  readonly installed: boolean;
}

function bad(message: string): MemCloudError {
  return new MemCloudError(ErrorCodes.BAD_ARGUMENT, message);
}

/** The admin team named (by name or key), or the only one. */
export function pickAdminTeam(teams: readonly AdminTeam[], query: string | undefined): AdminTeam {
  if (teams.length === 0) throw new MemCloudError(ErrorCodes.NOT_FOUND, 'This device administers no team. Make one with: memcloud team create NAME');
  if (query === undefined) {
    if (teams.length === 1) return teams[0]!;
    throw bad(`This device administers ${teams.length} teams (${teams.map((t) => t.name).join(', ')}); say which with --team NAME`);
  }
  const found = teams.find((t) => t.name === query || t.publicKey === query);
  if (!found) throw new MemCloudError(ErrorCodes.NOT_FOUND, `This device administers no team "${query}" (it has: ${teams.map((t) => t.name).join(', ')})`);
  return found;
}

/** Adds or replaces a team in the trusted list (team.json). */
export function withTrustedTeam(f: TeamFile, publicKey: string, name: string, now: Date): TeamFile {
  const rest = f.trusted.filter((t) => t.publicKey !== publicKey);
  if (rest.length >= MAX_KNOWN_TEAMS) throw bad(`a device trusts at most ${MAX_KNOWN_TEAMS} teams`);
  return { ...f, trusted: [...rest, { publicKey, name, addedAt: now.toISOString() }] };
}

function issue(team: AdminTeam, deviceKey: Uint8Array, deviceName: string, expiresInSeconds: number, now: Date): { team: AdminTeam; cert: TeamCertificate } {
  const cert = issueCertificate(
    {
      teamKey: parsePublicKey(team.publicKey),
      deviceKey,
      serial: team.nextSerial,
      expiresAt: Math.floor(now.getTime() / 1000) + expiresInSeconds,
      teamName: team.name,
      deviceName,
    },
    teamSecret(team),
  );
  const member = { publicKey: encodePublicKey(deviceKey), name: deviceName, serial: cert.serial, expiresAt: cert.expiresAt };
  return { team: { ...team, nextSerial: team.nextSerial + 1, members: [...team.members.filter((m) => m.publicKey !== member.publicKey), member] }, cert };
}

export async function createTeam(home: string, name: string, own: { key: Uint8Array; name: string }, expiresInSeconds: number, now = new Date()): Promise<CreatedTeam> {
  const teams = await readTeamKeys(home);
  if (teams.some((t) => t.name === name)) throw bad(`This device already administers a team named "${name}"`);
  if (teams.length >= MAX_ADMIN_TEAMS) throw bad(`A device administers at most ${MAX_ADMIN_TEAMS} teams`);
  const { team, cert } = issue(newAdminTeam(name, now), own.key, own.name, expiresInSeconds, now);
  await writeTeamKeys(home, [...teams, team]);
  let installed = false;
  await updateTeamFile(home, (f) => {
    installed = f.certificate === null;
    return withTrustedTeam(installed ? { ...f, certificate: cert } : f, team.publicKey, team.name, now);
  });
  return { team, certificate: cert, installed };
}

export async function addMember(
  home: string,
  teamQuery: string | undefined,
  deviceKeyText: string,
  deviceName: string | undefined,
  expiresInSeconds: number,
  now = new Date(),
): Promise<TeamCertificate> {
  const teams = await readTeamKeys(home);
  const team = pickAdminTeam(teams, teamQuery);
  const key = parsePublicKey(deviceKeyText);
  if (revokes((await readTeamFile(home)).revocations.get(team.publicKey), key)) {
    throw bad(`That device is revoked from team ${team.name}; a revoked device cannot get a new certificate of the same team`);
  }
  const { team: next, cert } = issue(team, key, deviceName ?? fallbackDeviceName(key), expiresInSeconds, now);
  await writeTeamKeys(home, teams.map((t) => (t === team ? next : t)));
  return cert;
}

/** Signs the team's next revocation list with this device added; team.json gets it (the node spreads it). */
export async function revokeMember(home: string, teamQuery: string | undefined, device: string): Promise<{ team: AdminTeam; list: RevocationList; deviceKey: string; name: string }> {
  const team = pickAdminTeam(await readTeamKeys(home), teamQuery);
  // A public key (base64url or hex), or a member this device certified, by name or fingerprint.
  let key: Uint8Array;
  try {
    key = parsePublicKey(device);
  } catch {
    key = parsePublicKey(findDevice(team.members, device).publicKey);
  }
  const keyText = encodePublicKey(key);
  const name = team.members.find((m) => m.publicKey === keyText)?.name ?? fallbackDeviceName(key);
  let list: RevocationList | undefined;
  await updateTeamFile(home, (f) => {
    const current = f.revocations.get(team.publicKey);
    if (revokes(current, key)) throw bad(`${name} is already revoked from team ${team.name} (list serial ${current!.serial})`);
    list = signRevocationList(parsePublicKey(team.publicKey), (current?.serial ?? 0) + 1, [...(current?.devices ?? []), key], teamSecret(team));
    const revocations = new Map(f.revocations);
    revocations.set(team.publicKey, list);
    return { ...f, revocations };
  });
  return { team, list: list!, deviceKey: keyText, name };
}
