// team.json, schema v1: what this device knows about teams, no secrets. Its own certificate (one
// team membership), the teams it trusts, and the newest revocation list of each team it knows.
// Written by the CLI (join, trust, revoke) and by the node (lists heard from peers); every write
// reads the file first and keeps, per team, the list with the larger serial, so no writer ever
// replaces a newer list with an older one.

import { homePaths } from '../home/paths';
import { decodeBase64urlExact, encodeBase64url } from '../identity/base64url';
import { arr, distinct, is, literal, nullable, obj, refine, rule, str, type Infer, type Schema } from '../api/schema';
import { encodePublicKey, isPublicKeyText } from '../identity/public-key';
import { isIsoTime } from '../trust/trust-file';
import { certificateSignatureValid, certificateText, parseCertificateText, teamNameProblem, type TeamCertificate } from './certificate';
import { corruptFile, readPrivateJson, writePrivateJson, type PrivateFileSpec } from './private-json-file';
import { decodeRevocationList, MAX_REVOCATION_LIST_BYTES, revocationListValid, type RevocationList } from './revocation-list';

export const TEAM_FILE_VERSION = 1;
/** Teams a device trusts, and lists it keeps; beyond this the file is refused. */
export const MAX_KNOWN_TEAMS = 64;

export interface TrustedTeam {
  /** Base64url text form of the team's Ed25519 public key. */
  readonly publicKey: string;
  readonly name: string;
  readonly addedAt: string;
}

export interface TeamFile {
  readonly certificate: TeamCertificate | null;
  readonly trusted: readonly TrustedTeam[];
  /** By the team key's text form. */
  readonly revocations: ReadonlyMap<string, RevocationList>;
}

export const EMPTY_TEAM_FILE: TeamFile = { certificate: null, trusted: [], revocations: new Map() };

export function teamFileSpec(home: string): PrivateFileSpec {
  return {
    path: homePaths(home).teamFile,
    what: 'Team file',
    maxBytes: 1024 + MAX_KNOWN_TEAMS * (2 * MAX_REVOCATION_LIST_BYTES + 512),
    secret: false,
    recovery:
      'Fix it by hand or restore it from a backup. Moving it aside forgets this device\'s team certificate, the teams it trusts ' +
      'and the revocations it knows (`memcloud team join` and `memcloud trust add --team` then set them again).',
  };
}

const trustedTeam: Schema<TrustedTeam> = obj(
  {
    publicKey: rule(is(isPublicKeyText, 'a team key'), '"publicKey" is not a team key'),
    name: refine(str, teamNameProblem('name')),
    addedAt: is(isIsoTime, 'an ISO time'),
  },
  {},
  'strict',
);

/** team.json as JSON; the signed records in it are checked by their own decoders (parseTeamFile). */
const teamFileJson = obj(
  {
    version: rule(literal(TEAM_FILE_VERSION), (v) => `its version ${String(v)} is not supported (expected ${TEAM_FILE_VERSION})`),
    certificate: nullable(str),
    trusted: distinct(arr(trustedTeam, MAX_KNOWN_TEAMS), (t) => t.publicKey, (key) => `team ${String(key)} is trusted twice`),
    revocations: arr(str, MAX_KNOWN_TEAMS),
  },
  {},
  'strict',
);
type TeamFileJson = Infer<typeof teamFileJson>;

function parseList(raw: string, i: number): RevocationList | string {
  const bytes = decodeBase64urlExact(raw, Math.floor((raw.length * 3) / 4));
  if (!bytes) return `revocations[${i}] is not base64url`;
  try {
    const list = decodeRevocationList(bytes);
    return revocationListValid(list) ? list : `revocations[${i}] is not signed by its team key`;
  } catch (err) {
    return `revocations[${i}]: ${(err as Error).message}`;
  }
}

/** The file's content with its certificate and lists decoded and verified, or the first problem. */
function parseTeamFile(json: TeamFileJson): TeamFile | string {
  let certificate: TeamCertificate | null = null;
  if (json.certificate !== null) {
    try {
      certificate = parseCertificateText(json.certificate);
    } catch (err) {
      return `"certificate": ${(err as Error).message}`;
    }
    if (!certificateSignatureValid(certificate)) return '"certificate" is not signed by its team key';
  }
  const revocations = new Map<string, RevocationList>();
  for (const [i, raw] of json.revocations.entries()) {
    const list = parseList(raw, i);
    if (typeof list === 'string') return list;
    const team = encodePublicKey(list.teamKey);
    if (revocations.has(team)) return `two revocation lists for team ${team}`;
    revocations.set(team, list);
  }
  return { certificate, trusted: json.trusted, revocations };
}

export function serializeTeamFile(f: TeamFile): unknown {
  return {
    version: TEAM_FILE_VERSION,
    certificate: f.certificate ? certificateText(f.certificate) : null,
    trusted: f.trusted,
    revocations: [...f.revocations.values()].map((l) => encodeBase64url(l.bytes)),
  };
}

export async function readTeamFile(home: string): Promise<TeamFile> {
  const spec = teamFileSpec(home);
  const json = await readPrivateJson(spec, teamFileJson);
  if (json === undefined) return EMPTY_TEAM_FILE;
  const parsed = parseTeamFile(json);
  if (typeof parsed === 'string') throw corruptFile(spec, parsed);
  return parsed;
}

/** Per team, the list with the larger serial. */
export function newestLists(a: ReadonlyMap<string, RevocationList>, b: ReadonlyMap<string, RevocationList>): Map<string, RevocationList> {
  const out = new Map(a);
  for (const [team, list] of b) if ((out.get(team)?.serial ?? 0) < list.serial) out.set(team, list);
  return out;
}

/** Read, change, write: the change sees the file as it is now; lists never go back in serial. */
export async function updateTeamFile(home: string, change: (f: TeamFile) => TeamFile): Promise<TeamFile> {
  const current = await readTeamFile(home);
  const next = change(current);
  const merged: TeamFile = { ...next, revocations: newestLists(current.revocations, next.revocations) };
  await writePrivateJson(teamFileSpec(home), serializeTeamFile(merged));
  return merged;
}
