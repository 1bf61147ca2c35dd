// The identity payload carried encrypted in handshake messages 2 and 3 (docs/protocol.md section 3.3).

import { ErrorCodes, MemCloudError } from '../errors';
import { MAX_DEVICE_NAME_BYTES, parseDeviceName } from '../identity/device-name';
import { receivedName } from '../text/peer-text';
import { PROTOCOL_VERSION, SIGNATURE_CONTEXT } from './constants';

export const PAYLOAD_FORMAT = 1;
export const MAX_NAME_BYTES = MAX_DEVICE_NAME_BYTES;
const FIXED_LENGTH = 1 + 2 + 32 + 64 + 8 + 1;

export interface HandshakePayload {
  readonly protocolVersion: number;
  readonly identityKey: Uint8Array;
  readonly signature: Uint8Array;
  readonly offeredBytes: number;
  readonly name: string;
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
  const name = Buffer.from(p.name, 'utf8');
  const out = Buffer.alloc(FIXED_LENGTH + name.length);
  let o = 0;
  out[o++] = PAYLOAD_FORMAT;
  out.writeUInt16BE(p.protocolVersion, o);
  o += 2;
  out.set(p.identityKey, o);
  o += 32;
  out.set(p.signature, o);
  o += 64;
  out.writeBigUInt64BE(BigInt(p.offeredBytes), o);
  o += 8;
  out[o++] = name.length;
  out.set(name, o);
  return out;
}

/** Strict decoder: any deviation (length, format, version, name) is malformed. */
export function decodePayload(bytes: Uint8Array): HandshakePayload {
  const malformed = (why: string) => new MemCloudError(ErrorCodes.FRAME_MALFORMED, `handshake payload: ${why}`);
  if (bytes.length < FIXED_LENGTH) throw malformed('too short');
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  let o = 0;
  if (b[o++] !== PAYLOAD_FORMAT) throw malformed('unknown format');
  const protocolVersion = b.readUInt16BE(o);
  o += 2;
  if (protocolVersion !== PROTOCOL_VERSION) throw malformed(`unsupported protocol version ${protocolVersion}`);
  const identityKey = Uint8Array.prototype.slice.call(b, o, o + 32);
  o += 32;
  const signature = Uint8Array.prototype.slice.call(b, o, o + 64);
  o += 64;
  const offered = b.readBigUInt64BE(o);
  o += 8;
  if (offered > BigInt(Number.MAX_SAFE_INTEGER)) throw malformed('offered bytes out of range');
  const nameLength = b[o++]!;
  if (b.length !== FIXED_LENGTH + nameLength) throw malformed('length does not match the name length');
  let name: string;
  try {
    name = receivedName(new TextDecoder('utf-8', { fatal: true }).decode(b.subarray(o, o + nameLength)));
  } catch {
    throw malformed('invalid device name');
  }
  return { protocolVersion, identityKey, signature, offeredBytes: Number(offered), name };
}
