// A team certificate: the team key vouches that a device key belongs to the team, under a name,
// until an expiry (docs/protocol.md section 12.1). The one validated entry for its bytes.

import { ErrorCodes, MemCloudError } from '../errors';
import { decodeBase64urlExact, encodeBase64url } from '../identity/base64url';
import { isValidPublicKey, PUBLIC_KEY_BYTES } from '../identity/public-key';
import { MAX_NAME_BYTES, validateDeviceName } from '../net/handshake-payload';
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
  try {
    return validateDeviceName(name);
  } catch (err) {
    throw new MemCloudError(ErrorCodes.BAD_ARGUMENT, `${what}: ${(err as Error).message.replace(/^device name /, 'a name ')}`);
  }
}

function checkU64(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new MemCloudError(ErrorCodes.BAD_ARGUMENT, `${what} must be a safe non-negative integer`);
}

export function issueCertificate(fields: CertificateFields, teamSecret: Uint8Array): TeamCertificate {
  if (fields.teamKey.length !== PUBLIC_KEY_BYTES || fields.deviceKey.length !== PUBLIC_KEY_BYTES) throw new RangeError('keys must be 32 bytes');
  checkU64(fields.serial, 'serial');
  checkU64(fields.expiresAt, 'expiry');
  const team = Buffer.from(checkTeamName(fields.teamName, 'team name'), 'utf8');
  const device = Buffer.from(checkTeamName(fields.deviceName, 'device name'), 'utf8');
  const body = Buffer.alloc(FIXED_BYTES - SIGNATURE_BYTES + team.length + device.length);
  let o = 0;
  body[o++] = CERTIFICATE_VERSION;
  body.set(fields.teamKey, o);
  o += PUBLIC_KEY_BYTES;
  body.set(fields.deviceKey, o);
  o += PUBLIC_KEY_BYTES;
  body.writeBigUInt64BE(BigInt(fields.serial), o);
  o += 8;
  body.writeBigUInt64BE(BigInt(fields.expiresAt), o);
  o += 8;
  body[o++] = team.length;
  body.set(team, o);
  o += team.length;
  body[o++] = device.length;
  body.set(device, o);
  return { ...fields, bytes: signRecord(TeamSignatureContext.CERTIFICATE, body, teamSecret) };
}

function readName(b: Buffer, o: number): { name: string; next: number } {
  const length = b[o];
  if (length === undefined || length < 1 || length > MAX_NAME_BYTES || o + 1 + length > b.length - SIGNATURE_BYTES) throw malformed('bad name length');
  let name: string;
  try {
    name = new TextDecoder('utf-8', { fatal: true }).decode(b.subarray(o + 1, o + 1 + length));
    validateDeviceName(name);
  } catch {
    throw malformed('invalid name');
  }
  return { name, next: o + 1 + length };
}

/** Parses the structure only (no signature check): FRAME_MALFORMED on any deviation. */
export function decodeCertificate(bytes: Uint8Array): TeamCertificate {
  if (bytes.length < MIN_CERTIFICATE_BYTES || bytes.length > MAX_CERTIFICATE_BYTES) throw malformed(`${bytes.length} bytes`);
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  if (b[0] !== CERTIFICATE_VERSION) throw malformed(`unknown version ${b[0]}`);
  const teamKey = Uint8Array.prototype.slice.call(b, 1, 33);
  const deviceKey = Uint8Array.prototype.slice.call(b, 33, 65);
  const serial = b.readBigUInt64BE(65);
  const expires = b.readBigUInt64BE(73);
  if (serial > BigInt(Number.MAX_SAFE_INTEGER) || expires > BigInt(Number.MAX_SAFE_INTEGER)) throw malformed('serial or expiry out of range');
  const team = readName(b, 81);
  const device = readName(b, team.next);
  if (device.next + SIGNATURE_BYTES !== b.length) throw malformed('length does not match the names');
  return {
    teamKey,
    deviceKey,
    serial: Number(serial),
    expiresAt: Number(expires),
    teamName: team.name,
    deviceName: device.name,
    bytes: Uint8Array.from(bytes),
  };
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
