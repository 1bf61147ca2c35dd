// A team certificate: the team key vouches that a device key belongs to the team, under a name,
// until an expiry (docs/protocol.md section 12.1). The one validated entry for its bytes.

import { ErrorCodes, MemCloudError } from '../errors';
import { decodeBase64urlExact, encodeBase64url } from '../identity/base64url';
import { isValidPublicKey, PUBLIC_KEY_BYTES } from '../identity/public-key';
import { MAX_DEVICE_NAME_BYTES as MAX_NAME_BYTES, deviceNameProblem, isDeviceName } from '../identity/device-name';
import { ByteReader, BytesErrorCode, GrowableWriter } from '../wire/bytes';
import { SIGNATURE_BYTES, signRecord, TeamSignatureContext, verifyRecord } from './signed-record';

export const CERTIFICATE_VERSION = 1;
const FIXED_BYTES = 1 + PUBLIC_KEY_BYTES * 2 + 8 + 8 + 1 + 1 + SIGNATURE_BYTES;
export const MIN_CERTIFICATE_BYTES = FIXED_BYTES + 2;
export const MAX_CERTIFICATE_BYTES = FIXED_BYTES + 2 * MAX_NAME_BYTES;
/** The text form `memcloud team add` prints and `memcloud team join` takes. */
export const CERTIFICATE_TEXT_PREFIX = 'mcteam1.';

export interface TeamCertificate {
  readonly teamKey: Uint8Array;
  readonly deviceKey: Uint8Array;
  readonly serial: number;
  /** Seconds since the Unix epoch; the certificate is valid while now < expiresAt. */
  readonly expiresAt: number;
  readonly teamName: string;
  readonly deviceName: string;
  /** The whole record as signed (body || signature). */
  readonly bytes: Uint8Array;
}

export type CertificateFields = Omit<TeamCertificate, 'bytes'>;

function malformed(why: string): MemCloudError {
  return new MemCloudError(ErrorCodes.FRAME_MALFORMED, `team certificate: ${why}`);
}

/** The one name rule (device names) applies to both names a certificate carries. */
export function checkTeamName(name: string, what: string): string {
  const problem = deviceNameProblem(name);
  if (problem !== undefined) throw new MemCloudError(ErrorCodes.BAD_ARGUMENT, `${what}: a name ${problem}`);
  return name;
}

/** Why `name` cannot be a team's name, in words; undefined when it can. */
export function teamNameProblem(what: string): (name: string) => string | undefined {
  return (name) => {
    try {
      checkTeamName(name, what);
      return undefined;
    } catch (err) {
      return (err as Error).message;
    }
  };
}

function checkU64(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new MemCloudError(ErrorCodes.BAD_ARGUMENT, `${what} must be a safe non-negative integer`);
}

export function issueCertificate(fields: CertificateFields, teamSecret: Uint8Array): TeamCertificate {
  if (fields.teamKey.length !== PUBLIC_KEY_BYTES || fields.deviceKey.length !== PUBLIC_KEY_BYTES) throw new RangeError('keys must be 32 bytes');
  checkU64(fields.serial, 'serial');
  checkU64(fields.expiresAt, 'expiry');
  const w = new GrowableWriter(MAX_CERTIFICATE_BYTES);
  w.u8(CERTIFICATE_VERSION);
  w.bytes(fields.teamKey);
  w.bytes(fields.deviceKey);
  w.u64(fields.serial);
  w.u64(fields.expiresAt);
  w.str8(checkTeamName(fields.teamName, 'team name'), MAX_NAME_BYTES);
  w.str8(checkTeamName(fields.deviceName, 'device name'), MAX_NAME_BYTES);
  return { ...fields, bytes: signRecord(TeamSignatureContext.CERTIFICATE, Uint8Array.from(w.take()), teamSecret) };
}

function readName(r: ByteReader): string {
  const length = r.u8();
  // The signature follows the names: a name may not reach into it.
  if (length < 1 || length > MAX_NAME_BYTES || length > r.remaining - SIGNATURE_BYTES) throw malformed('bad name length');
  let name: string;
  try {
    name = r.utf8(length);
  } catch {
    throw malformed('invalid name');
  }
  if (!isDeviceName(name)) throw malformed('invalid name');
  return name;
}

/** Parses the structure only (no signature check): FRAME_MALFORMED on any deviation. */
export function decodeCertificate(bytes: Uint8Array): TeamCertificate {
  if (bytes.length < MIN_CERTIFICATE_BYTES || bytes.length > MAX_CERTIFICATE_BYTES) throw malformed(`${bytes.length} bytes`);
  const r = new ByteReader(bytes, (code, message) => malformed(code === BytesErrorCode.OUT_OF_RANGE ? 'serial or expiry out of range' : message), 'team certificate');
  const version = r.u8();
  if (version !== CERTIFICATE_VERSION) throw malformed(`unknown version ${version}`);
  const teamKey = r.copy(PUBLIC_KEY_BYTES);
  const deviceKey = r.copy(PUBLIC_KEY_BYTES);
  const serial = r.u64();
  const expiresAt = r.u64();
  const teamName = readName(r);
  const deviceName = readName(r);
  if (r.remaining !== SIGNATURE_BYTES) throw malformed('length does not match the names');
  return { teamKey, deviceKey, serial, expiresAt, teamName, deviceName, bytes: Uint8Array.from(bytes) };
}

/** The team key signed it and both keys are usable Ed25519 keys. Expiry is the caller's check. */
export function certificateSignatureValid(cert: TeamCertificate): boolean {
  return isValidPublicKey(cert.deviceKey) && verifyRecord(TeamSignatureContext.CERTIFICATE, cert.bytes, cert.teamKey);
}

export function isExpired(cert: TeamCertificate, nowMs: number): boolean {
  return nowMs >= cert.expiresAt * 1000;
}

export function certificateText(cert: TeamCertificate): string {
  return CERTIFICATE_TEXT_PREFIX + encodeBase64url(cert.bytes);
}

/** Parses the text form (surrounding whitespace ignored); BAD_ARGUMENT with what is wrong. */
export function parseCertificateText(text: string): TeamCertificate {
  const t = text.trim();
  const bad = (why: string) => new MemCloudError(ErrorCodes.BAD_ARGUMENT, `Not a MemCloud team certificate: ${why}. Copy the whole line \`memcloud team add\` printed (it starts with ${CERTIFICATE_TEXT_PREFIX}).`);
  if (!t.startsWith(CERTIFICATE_TEXT_PREFIX)) throw bad(`it does not start with ${CERTIFICATE_TEXT_PREFIX}`);
  const body = t.slice(CERTIFICATE_TEXT_PREFIX.length);
  const length = Math.floor((body.length * 3) / 4);
  const bytes = decodeBase64urlExact(body, length);
  if (!bytes) throw bad('it is not base64url');
  try {
    return decodeCertificate(bytes);
  } catch (err) {
    throw bad((err as Error).message.replace(/^team certificate: /, ''));
  }
}
