// Session resumption on the wire (docs/protocol.md section 13): the preamble flags that negotiate
// it, the resume message 1 and its payload, the TICKET channel message, and the key derivations.
// Everything here is specified byte for byte in section 13; the handshake and the session manager
// use it, the logic of who may resume lives in engine/session/resume-tickets.ts.

import { ErrorCodes, MemCloudError } from '../errors';
import { hmacSha256 } from '../crypto/noise/compact-sha256';
import { MAX_DEVICE_NAME_BYTES } from '../identity/device-name';
import { receivedName } from '../text/peer-text';
import { ByteReader, BytesErrorCode, GrowableWriter, type BytesErrorFactory } from '../wire/bytes';
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
  return hmacSha256(secret, Buffer.concat([PSK_LABEL, id, initiatorKey, responderKey]));
}

export interface ResumePayload {
  readonly offeredBytes: number;
  readonly name: string;
}

export function encodeResumePayload(p: ResumePayload): Uint8Array {
  const fail: BytesErrorFactory = (code, message) => new Error(code === BytesErrorCode.TOO_LONG ? 'bad device name length' : message);
  if (p.name.length === 0) throw fail(BytesErrorCode.TOO_LONG, '');
  const w = new GrowableWriter(PAYLOAD_FIXED + MAX_DEVICE_NAME_BYTES, fail);
  w.u8(RESUME_PAYLOAD_FORMAT);
  w.u64(p.offeredBytes);
  w.str8(p.name, MAX_DEVICE_NAME_BYTES);
  return w.take();
}

/** Strict: any deviation is FRAME_MALFORMED (the caller then falls back or aborts, section 13.5). */
export function decodeResumePayload(bytes: Uint8Array): ResumePayload {
  const malformed = (why: string) => new MemCloudError(ErrorCodes.FRAME_MALFORMED, `resume payload: ${why}`);
  const r = new ByteReader(bytes, (_code, message) => malformed(message), 'resume payload');
  if (r.u8() !== RESUME_PAYLOAD_FORMAT) throw malformed('bad format');
  const offeredBytes = r.u64();
  const nameLength = r.u8();
  if (nameLength === 0) throw malformed('empty device name');
  const text = r.utf8(nameLength);
  r.end();
  let name: string;
  try {
    name = receivedName(text);
  } catch {
    throw malformed('invalid device name');
  }
  return { offeredBytes, name };
}

export interface TicketMessage {
  readonly id: Uint8Array;
  readonly lifetimeS: number;
}

export function encodeTicket(t: TicketMessage): Uint8Array {
  if (t.id.length !== TICKET_ID_LENGTH) throw new RangeError(`a ticket id is ${TICKET_ID_LENGTH} bytes`);
  const w = new GrowableWriter(TICKET_BODY_LENGTH);
  w.u8(TICKET_VERSION);
  w.bytes(t.id);
  w.u32(t.lifetimeS);
  return w.take();
}

/** A TICKET of another version is ignored (null), as section 13.4 says; a bad lifetime too. */
export function decodeTicket(body: Uint8Array): TicketMessage | null {
  // The channel checked the body's exact size on its header (section 6); checked again for other callers.
  if (body.length !== TICKET_BODY_LENGTH) return null;
  const r = new ByteReader(body);
  if (r.u8() !== TICKET_VERSION) return null;
  const id = r.copy(TICKET_ID_LENGTH);
  const lifetimeS = r.u32();
  if (lifetimeS === 0 || lifetimeS > TICKET_LIFETIME_S) return null;
  return { id, lifetimeS };
}
