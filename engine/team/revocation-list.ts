// A team's revocation list: the device keys the team key no longer vouches for, under a serial
// that only grows (docs/protocol.md section 12.2). The newest valid list of a team replaces any
// older one; keys are sorted and unique so one set of revocations has one encoding.

import { ErrorCodes, MemCloudError } from '../errors';
import { PUBLIC_KEY_BYTES } from '../identity/public-key';
import { SIGNATURE_BYTES, signRecord, TeamSignatureContext, verifyRecord } from './signed-record';

export const REVOCATION_LIST_VERSION = 1;
export const MAX_REVOKED_DEVICES = 4096;
const HEADER_BYTES = 1 + PUBLIC_KEY_BYTES + 8 + 2;
export const MAX_REVOCATION_LIST_BYTES = HEADER_BYTES + MAX_REVOKED_DEVICES * PUBLIC_KEY_BYTES + SIGNATURE_BYTES;

export interface RevocationList {
  readonly teamKey: Uint8Array;
  /** 1 for the first list a team signs; every later list has a larger one. */
  readonly serial: number;
  /** Revoked device keys, ascending by their bytes. */
  readonly devices: readonly Uint8Array[];
  readonly bytes: Uint8Array;
}

function malformed(why: string): MemCloudError {
  return new MemCloudError(ErrorCodes.FRAME_MALFORMED, `team revocation list: ${why}`);
}

export function signRevocationList(teamKey: Uint8Array, serial: number, devices: readonly Uint8Array[], teamSecret: Uint8Array): RevocationList {
  if (!Number.isSafeInteger(serial) || serial < 1) throw new RangeError('serial must be a positive safe integer');
  const unique = [...new Map(devices.map((d) => [Buffer.from(d).toString('hex'), d])).values()].sort((a, b) => Buffer.compare(a, b));
  if (unique.length > MAX_REVOKED_DEVICES) {
    throw new MemCloudError(ErrorCodes.BAD_ARGUMENT, `a team revokes at most ${MAX_REVOKED_DEVICES} devices; make a new team`);
  }
  const body = Buffer.alloc(HEADER_BYTES + unique.length * PUBLIC_KEY_BYTES);
  body[0] = REVOCATION_LIST_VERSION;
  body.set(teamKey, 1);
  body.writeBigUInt64BE(BigInt(serial), 33);
  body.writeUInt16BE(unique.length, 41);
  unique.forEach((d, i) => {
    if (d.length !== PUBLIC_KEY_BYTES) throw new RangeError('device keys must be 32 bytes');
    body.set(d, HEADER_BYTES + i * PUBLIC_KEY_BYTES);
  });
  return { teamKey: Uint8Array.from(teamKey), serial, devices: unique.map((d) => Uint8Array.from(d)), bytes: signRecord(TeamSignatureContext.REVOCATIONS, body, teamSecret) };
}

/** Parses the structure only (the signature is checked by revocationListValid). */
export function decodeRevocationList(bytes: Uint8Array): RevocationList {
  if (bytes.length < HEADER_BYTES + SIGNATURE_BYTES) throw malformed('too short');
  if (bytes.length > MAX_REVOCATION_LIST_BYTES) throw malformed(`${bytes.length} bytes exceeds ${MAX_REVOCATION_LIST_BYTES}`);
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  if (b[0] !== REVOCATION_LIST_VERSION) throw malformed(`unknown version ${b[0]}`);
  const serial = b.readBigUInt64BE(33);
  if (serial < 1n || serial > BigInt(Number.MAX_SAFE_INTEGER)) throw malformed('serial out of range');
  const count = b.readUInt16BE(41);
  if (count > MAX_REVOKED_DEVICES) throw malformed(`${count} devices exceeds ${MAX_REVOKED_DEVICES}`);
  if (b.length !== HEADER_BYTES + count * PUBLIC_KEY_BYTES + SIGNATURE_BYTES) throw malformed('length does not match the count');
  const devices: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const at = HEADER_BYTES + i * PUBLIC_KEY_BYTES;
    const d = Uint8Array.prototype.slice.call(b, at, at + PUBLIC_KEY_BYTES);
    if (i > 0 && Buffer.compare(devices[i - 1]!, d) >= 0) throw malformed('device keys are not strictly ascending');
    devices.push(d);
  }
  return { teamKey: Uint8Array.prototype.slice.call(b, 1, 33), serial: Number(serial), devices, bytes: Uint8Array.from(bytes) };
}

export function revocationListValid(list: RevocationList): boolean {
  return verifyRecord(TeamSignatureContext.REVOCATIONS, list.bytes, list.teamKey);
}

export function revokes(list: RevocationList | undefined, deviceKey: Uint8Array): boolean {
  return list !== undefined && list.devices.some((d) => Buffer.compare(d, deviceKey) === 0);
}
