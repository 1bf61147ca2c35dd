// team_keys.json, schema v1: the secret keys of the teams this device administers (0600, never
// readable by others), with the certificates issued so far (for `team show` and serials).
// Only the CLI reads it; the node never needs a team's secret.

import { ed25519 } from '@noble/curves/ed25519.js';
import { homePaths } from '../home/paths';
import { decodeBase64urlExact, encodeBase64url } from '../identity/base64url';
import { decodePublicKeyText, encodePublicKey, publicKeysEqual } from '../identity/public-key';
import { isIsoTime } from '../trust/trust-file';
import { checkTeamName } from './certificate';
import { corruptFile, fieldsProblem, isPlainObject, readPrivateJson, writePrivateJson, type PrivateFileSpec } from './private-json-file';

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

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

function parseMember(raw: unknown): IssuedCertificate | string {
  if (!isPlainObject(raw)) return 'a member is not an object';
  const f = fieldsProblem(raw, ['publicKey', 'name', 'serial', 'expiresAt']);
  if (f) return f;
  if (typeof raw.publicKey !== 'string' || !decodePublicKeyText(raw.publicKey)) return 'a member key is invalid';
  if (typeof raw.name !== 'string' || !isCount(raw.serial) || !isCount(raw.expiresAt)) return 'a member entry is invalid';
  return { publicKey: raw.publicKey, name: raw.name, serial: raw.serial, expiresAt: raw.expiresAt };
}

function parseTeam(raw: unknown): AdminTeam | string {
  if (!isPlainObject(raw)) return 'a team is not an object';
  const f = fieldsProblem(raw, ['name', 'publicKey', 'secretKey', 'createdAt', 'nextSerial', 'members']);
  if (f) return f;
  if (typeof raw.name !== 'string') return 'a team name is not text';
  try {
    checkTeamName(raw.name, 'team name');
  } catch (err) {
    return (err as Error).message;
  }
  const secret = typeof raw.secretKey === 'string' ? decodeBase64urlExact(raw.secretKey, 32) : undefined;
  const publicKey = typeof raw.publicKey === 'string' ? decodePublicKeyText(raw.publicKey) : undefined;
  if (!secret || !publicKey || !publicKeysEqual(ed25519.getPublicKey(secret), publicKey)) return `team "${raw.name}": its secret key does not match its public key`;
  if (!isIsoTime(raw.createdAt) || !isCount(raw.nextSerial) || raw.nextSerial < 1) return `team "${raw.name}": bad createdAt or nextSerial`;
  if (!Array.isArray(raw.members) || raw.members.length > MAX_MEMBERS) return `team "${raw.name}": bad members`;
  const members: IssuedCertificate[] = [];
  for (const m of raw.members) {
    const member = parseMember(m);
    if (typeof member === 'string') return `team "${raw.name}": ${member}`;
    members.push(member);
  }
  return { name: raw.name, publicKey: raw.publicKey as string, secretKey: raw.secretKey as string, createdAt: raw.createdAt, nextSerial: raw.nextSerial, members };
}

export async function readTeamKeys(home: string): Promise<AdminTeam[]> {
  const spec = teamKeysSpec(home);
  const json = await readPrivateJson(spec);
  if (json === undefined) return [];
  const problem = (why: string) => corruptFile(spec, why);
  if (!isPlainObject(json)) throw problem('it is not a JSON object');
  const f = fieldsProblem(json, ['version', 'teams']);
  if (f) throw problem(f);
  if (json.version !== TEAM_KEYS_VERSION) throw problem(`its version ${String(json.version)} is not supported`);
  if (!Array.isArray(json.teams) || json.teams.length > MAX_ADMIN_TEAMS) throw problem(`"teams" is not an array of at most ${MAX_ADMIN_TEAMS}`);
  const teams: AdminTeam[] = [];
  for (const raw of json.teams) {
    const t = parseTeam(raw);
    if (typeof t === 'string') throw problem(t);
    if (teams.some((x) => x.publicKey === t.publicKey || x.name === t.name)) throw problem(`team "${t.name}" appears twice`);
    teams.push(t);
  }
  return teams;
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
