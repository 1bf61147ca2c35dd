// team_keys.json, schema v1: the secret keys of the teams this device administers (0600, never
// readable by others), with the certificates issued so far (for `team show` and serials).
// Only the CLI reads it; the node never needs a team's secret.

import { ed25519 } from '@noble/curves/ed25519.js';
import { homePaths } from '../home/paths';
import { decodeBase64urlExact, encodeBase64url } from '../identity/base64url';
import { arr, int, is, literal, obj, refine, rule, str, type Schema } from '../api/schema';
import { decodePublicKeyText, encodePublicKey, isPublicKeyText, publicKeysEqual } from '../identity/public-key';
import { isIsoTime } from '../trust/trust-file';
import { checkTeamName, teamNameProblem } from './certificate';
import { readPrivateJson, writePrivateJson, type PrivateFileSpec } from './private-json-file';

export const TEAM_KEYS_VERSION = 1;
const MAX_ADMIN_TEAMS = 16;
const MAX_MEMBERS = 10_000;

export interface IssuedCertificate {
  readonly publicKey: string;
  readonly name: string;
  readonly serial: number;
  /** Seconds since the Unix epoch. */
  readonly expiresAt: number;
}

export interface AdminTeam {
  readonly name: string;
  readonly publicKey: string;
  /** Base64url of the 32-byte Ed25519 seed. */
  readonly secretKey: string;
  readonly createdAt: string;
  /** The serial the next certificate gets. */
  readonly nextSerial: number;
  readonly members: readonly IssuedCertificate[];
}

export function teamKeysSpec(home: string): PrivateFileSpec {
  return {
    path: homePaths(home).teamKeys,
    what: 'Team key file',
    maxBytes: 4 * 1024 * 1024,
    secret: true,
    recovery: 'Restore it from a backup. Without it this device can no longer add or revoke members of its teams (the members keep working).',
  };
}

export function teamSecret(team: AdminTeam): Uint8Array {
  return decodeBase64urlExact(team.secretKey, 32)!;
}

const count = int(0, Number.MAX_SAFE_INTEGER);

const member: Schema<IssuedCertificate> = obj(
  { publicKey: rule(is(isPublicKeyText, 'a member key'), 'a member key is invalid'), name: str, serial: count, expiresAt: count },
  {},
  'strict',
);

/** True when the team's secret key is 32 bytes whose public key is the team's. */
function keysMatch(team: { readonly publicKey: string; readonly secretKey: string }): boolean {
  const secret = decodeBase64urlExact(team.secretKey, 32);
  const publicKey = decodePublicKeyText(team.publicKey);
  if (!secret || !publicKey) return false;
  try {
    return publicKeysEqual(ed25519.getPublicKey(secret), publicKey);
  } finally {
    secret.fill(0);
  }
}

const adminTeam: Schema<AdminTeam> = refine(
  obj(
    {
      name: refine(str, teamNameProblem('team name')),
      publicKey: str,
      secretKey: str,
      createdAt: is(isIsoTime, 'an ISO time'),
      nextSerial: int(1, Number.MAX_SAFE_INTEGER),
      members: arr(member, MAX_MEMBERS),
    },
    {},
    'strict',
  ),
  (team) => (keysMatch(team) ? undefined : `team "${team.name}": its secret key does not match its public key`),
);

const teamKeysJson = obj(
  {
    version: rule(literal(TEAM_KEYS_VERSION), (v) => `its version ${String(v)} is not supported`),
    teams: refine(arr(adminTeam, MAX_ADMIN_TEAMS), (teams) => {
      const twice = teams.find((t, i) => teams.slice(0, i).some((x) => x.publicKey === t.publicKey || x.name === t.name));
      return twice === undefined ? undefined : `team "${twice.name}" appears twice`;
    }),
  },
  {},
  'strict',
);

export async function readTeamKeys(home: string): Promise<AdminTeam[]> {
  return (await readPrivateJson(teamKeysSpec(home), teamKeysJson))?.teams ?? [];
}

export async function writeTeamKeys(home: string, teams: readonly AdminTeam[]): Promise<void> {
  if (teams.length > MAX_ADMIN_TEAMS) throw new RangeError(`at most ${MAX_ADMIN_TEAMS} teams`);
  await writePrivateJson(teamKeysSpec(home), { version: TEAM_KEYS_VERSION, teams });
}

export function newAdminTeam(name: string, now: Date): AdminTeam {
  const secret = ed25519.utils.randomSecretKey();
  try {
    return {
      name: checkTeamName(name, 'team name'),
      publicKey: encodePublicKey(ed25519.getPublicKey(secret)),
      secretKey: encodeBase64url(secret),
      createdAt: now.toISOString(),
      nextSerial: 1,
      members: [],
    };
  } finally {
    secret.fill(0);
  }
}

export { MAX_ADMIN_TEAMS };
