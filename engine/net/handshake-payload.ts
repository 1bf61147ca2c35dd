// The identity payload carried encrypted in handshake messages 2 and 3 (docs/protocol.md section 3.3).

import { ErrorCodes, MemCloudError } from '../errors';
import { MAX_DEVICE_NAME_BYTES, parseDeviceName } from '../identity/device-name';
import { receivedName } from '../text/peer-text';
import { ByteReader, BytesErrorCode, GrowableWriter } from '../wire/bytes';
import { MAX_TEAM_CERTIFICATE, PROTOCOL_VERSION, SIGNATURE_CONTEXT } from './constants';

export const PAYLOAD_FORMAT = 1;
/** Format 2: format 1's fields, then a team certificate (section 12.1) behind a u16 length, 0 for none. */
export const PAYLOAD_FORMAT_TEAM = 2;
export const MAX_NAME_BYTES = MAX_DEVICE_NAME_BYTES;
const FIXED_LENGTH = 1 + 2 + 32 + 64 + 8 + 1;

export interface HandshakePayload {
  readonly protocolVersion: number;
  readonly identityKey: Uint8Array;
  readonly signature: Uint8Array;
  readonly offeredBytes: number;
  readonly name: string;
  /**
   * Present when the payload is format 2: the sender speaks the team part of the protocol
   * (section 12) and may carry a certificate, opaque here (engine/team checks it).
   */
  readonly team?: PayloadTeam;
}

export interface PayloadTeam {
  readonly certificate: Uint8Array | null;
}

export type HandshakeRole = 'initiator' | 'responder';

const contextBytes = Buffer.from(SIGNATURE_CONTEXT, 'ascii');

/** What each side signs: context || 0x00 || role byte || handshake hash (section 3.4). */
export function signatureMessage(role: HandshakeRole, handshakeHash: Uint8Array): Uint8Array {
  const out = new Uint8Array(contextBytes.length + 2 + handshakeHash.length);
  out.set(contextBytes, 0);
  out[contextBytes.length] = 0;
  out[contextBytes.length + 1] = role === 'initiator' ? 1 : 2;
  out.set(handshakeHash, contextBytes.length + 2);
  return out;
}

/** Our own name, before we send it: the rule of section 3.3.1 (engine/identity/device-name.ts). */
export function validateDeviceName(name: string): string {
  return parseDeviceName(name);
}

export function encodePayload(p: HandshakePayload): Uint8Array {
  validateDeviceName(p.name);
  if (p.identityKey.length !== 32 || p.signature.length !== 64) throw new Error('bad key or signature length');
  if (!Number.isSafeInteger(p.offeredBytes) || p.offeredBytes < 0) throw new Error('offeredBytes must be a safe non-negative integer');
  const certificate = p.team?.certificate ?? null;
  if (certificate && (certificate.length === 0 || certificate.length > MAX_TEAM_CERTIFICATE)) throw new Error('bad certificate length');
  const w = new GrowableWriter(FIXED_LENGTH + MAX_NAME_BYTES + 2 + (certificate?.length ?? 0));
  w.u8(p.team ? PAYLOAD_FORMAT_TEAM : PAYLOAD_FORMAT);
  w.u16(p.protocolVersion);
  w.bytes(p.identityKey);
  w.bytes(p.signature);
  w.u64(p.offeredBytes);
  w.str8(p.name, MAX_NAME_BYTES);
  if (p.team) {
    w.u16(certificate?.length ?? 0);
    if (certificate) w.bytes(certificate);
  }
  return Uint8Array.from(w.take());
}

/** Strict decoder: any deviation (length, format, version, name) is malformed. */
export function decodePayload(bytes: Uint8Array): HandshakePayload {
  const malformed = (why: string) => new MemCloudError(ErrorCodes.FRAME_MALFORMED, `handshake payload: ${why}`);
  if (bytes.length < FIXED_LENGTH) throw malformed('too short');
  const r = new ByteReader(bytes, (code, message) => malformed(code === BytesErrorCode.OUT_OF_RANGE ? 'offered bytes out of range' : message), 'handshake payload');
  const format = r.u8();
  if (format !== PAYLOAD_FORMAT && format !== PAYLOAD_FORMAT_TEAM) throw malformed('unknown format');
  const protocolVersion = r.u16();
  if (protocolVersion !== PROTOCOL_VERSION) throw malformed(`unsupported protocol version ${protocolVersion}`);
  const identityKey = r.copy(32);
  const signature = r.copy(64);
  const offeredBytes = r.u64();
  const nameLength = r.u8();
  if (format === PAYLOAD_FORMAT ? r.remaining !== nameLength : r.remaining < nameLength + 2) throw malformed('length does not match the name length');
  let name: string;
  try {
    name = receivedName(r.utf8(nameLength));
  } catch {
    throw malformed('invalid device name');
  }
  const payload = { protocolVersion, identityKey, signature, offeredBytes, name };
  if (format === PAYLOAD_FORMAT) return payload;
  const certificateLength = r.u16();
  if (certificateLength > MAX_TEAM_CERTIFICATE) throw malformed('certificate too long');
  if (r.remaining !== certificateLength) throw malformed('length does not match the certificate length');
  const certificate = certificateLength === 0 ? null : r.copy(certificateLength);
  return { ...payload, team: { certificate } };
}
