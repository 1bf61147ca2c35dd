// Session resumption on the wire (docs/protocol.md section 13): the preamble flags that negotiate
// it, the resume message 1 and its payload, the TICKET channel message, and the key derivations.
// Everything here is specified byte for byte in section 13; the handshake and the session manager
// use it, the logic of who may resume lives in engine/session/resume-tickets.ts.

import { createHmac } from 'node:crypto';
import { ErrorCodes, MemCloudError } from '../errors';
import { MAX_DEVICE_NAME_BYTES } from '../identity/device-name';
import { receivedName } from '../text/peer-text';
import { TAG_LENGTH } from './constants';

/** [13.1] Preamble flags (bytes 6-7). A receiver ignores the bits it does not know. */
export const PreambleFlag = {
  /** The initiator reads TICKET messages (section 13.4). */
  TICKETS: 0x0001,
  /** Message 1 is a resume message (section 13.2); needs TICKETS too. */
  RESUME: 0x0002,
} as const;

export const RESUME_PATTERN = 'NNpsk0';
export const TICKET_ID_LENGTH = 16;
export const TICKET_LIFETIME_S = 24 * 60 * 60;
/** [13.4] A responder sends a fresh ticket this often while a session stays open. */
export const TICKET_REFRESH_MS = 60 * 60 * 1000;
/** [13.2] The first byte of message 2 when the initiator asked to resume. */
export const ResumeMode = { FULL: 0, RESUMED: 1 } as const;

export const RESUME_PAYLOAD_FORMAT = 1;
const PAYLOAD_FIXED = 1 + 8 + 1;
export const MAX_RESUME_PAYLOAD = PAYLOAD_FIXED + MAX_DEVICE_NAME_BYTES;
/** [13.2] ticket id || e || ENC(payload). */
export const MIN_RESUME_MESSAGE_1 = TICKET_ID_LENGTH + 32 + PAYLOAD_FIXED + 1 + TAG_LENGTH;
export const MAX_RESUME_MESSAGE_1 = TICKET_ID_LENGTH + 32 + MAX_RESUME_PAYLOAD + TAG_LENGTH;
/** [13.2] mode || e || ENC(payload). */
export const MAX_RESUME_MESSAGE_2 = 1 + 32 + MAX_RESUME_PAYLOAD + TAG_LENGTH;

/** [13.4] TICKET body: version || ticket id || lifetime in seconds (u32). */
export const TICKET_VERSION = 1;
export const TICKET_BODY_LENGTH = 1 + TICKET_ID_LENGTH + 4;

const SECRET_LABEL = Buffer.from('memcloud/v1/resumption-secret', 'ascii');
const PSK_LABEL = Buffer.from('memcloud/v1/resumption-psk', 'ascii');

export function preambleFlags(preamble: Uint8Array): number {
  return ((preamble[6] ?? 0) << 8) | (preamble[7] ?? 0);
}

/** [13.3] The HKDF input from which a session's resumption secret is derived: label || h. */
export function resumptionSecretInput(handshakeHash: Uint8Array): Uint8Array {
  return Buffer.concat([SECRET_LABEL, handshakeHash]);
}

/**
 * [13.3] psk = HMAC-SHA256(resumption_secret, "memcloud/v1/resumption-psk" || ticket id ||
 * initiator identity key || responder identity key): one ticket, one key, bound to both devices.
 */
export function ticketPsk(secret: Uint8Array, id: Uint8Array, initiatorKey: Uint8Array, responderKey: Uint8Array): Uint8Array {
  return new Uint8Array(createHmac('sha256', secret).update(PSK_LABEL).update(id).update(initiatorKey).update(responderKey).digest());
}

export interface ResumePayload {
  readonly offeredBytes: number;
  readonly name: string;
}

export function encodeResumePayload(p: ResumePayload): Uint8Array {
  const name = Buffer.from(p.name, 'utf8');
  if (name.length < 1 || name.length > MAX_DEVICE_NAME_BYTES) throw new Error('bad device name length');
  const out = Buffer.alloc(PAYLOAD_FIXED + name.length);
  out[0] = RESUME_PAYLOAD_FORMAT;
  out.writeBigUInt64BE(BigInt(p.offeredBytes), 1);
  out[9] = name.length;
  out.set(name, 10);
  return out;
}

/** Strict: any deviation is FRAME_MALFORMED (the caller then falls back or aborts, section 13.5). */
export function decodeResumePayload(bytes: Uint8Array): ResumePayload {
  const malformed = (why: string) => new MemCloudError(ErrorCodes.FRAME_MALFORMED, `resume payload: ${why}`);
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  if (b.length < PAYLOAD_FIXED + 1 || b[0] !== RESUME_PAYLOAD_FORMAT) throw malformed('bad format or length');
  const offered = b.readBigUInt64BE(1);
  if (offered > BigInt(Number.MAX_SAFE_INTEGER)) throw malformed('offered bytes out of range');
  if (b.length !== PAYLOAD_FIXED + b[9]!) throw malformed('length does not match the name length');
  let name: string;
  try {
    name = receivedName(new TextDecoder('utf-8', { fatal: true }).decode(b.subarray(PAYLOAD_FIXED)));
  } catch {
    throw malformed('invalid device name');
  }
  return { offeredBytes: Number(offered), name };
}

export interface TicketMessage {
  readonly id: Uint8Array;
  readonly lifetimeS: number;
}

export function encodeTicket(t: TicketMessage): Uint8Array {
  const out = Buffer.alloc(TICKET_BODY_LENGTH);
  out[0] = TICKET_VERSION;
  out.set(t.id, 1);
  out.writeUInt32BE(t.lifetimeS, 1 + TICKET_ID_LENGTH);
  return out;
}

/** A TICKET of another version is ignored (null), as section 13.4 says; a bad lifetime too. */
export function decodeTicket(body: Uint8Array): TicketMessage | null {
  const b = Buffer.from(body.buffer, body.byteOffset, body.length);
  if (b.length !== TICKET_BODY_LENGTH || b[0] !== TICKET_VERSION) return null;
  const lifetimeS = b.readUInt32BE(1 + TICKET_ID_LENGTH);
  if (lifetimeS === 0 || lifetimeS > TICKET_LIFETIME_S) return null;
  return { id: Uint8Array.prototype.slice.call(b, 1, 1 + TICKET_ID_LENGTH), lifetimeS };
}
