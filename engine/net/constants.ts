// Wire constants of protocol version 1. Each is specified in docs/protocol.md (section in brackets).
// The crypto sizes (Noise message limit, tag) live in crypto/constants.ts and are re-exported here.

import { MAX_NOISE_MESSAGE, MAX_SEALED_PLAINTEXT, TAG_LENGTH } from '../crypto/constants';

export { MAX_NOISE_MESSAGE, TAG_LENGTH };

/** [1. Preamble] "MCLD": the first four bytes the initiator sends. */
export const PREAMBLE_MAGIC = Uint8Array.of(0x4d, 0x43, 0x4c, 0x44);
export const PREAMBLE_LENGTH = 8;
export const PROTOCOL_VERSION = 1;

/** [2. Frames] type || body, body at most one Noise message. */
export const FRAME_HEADER_LENGTH = 5;
export const MAX_FRAME_BODY = MAX_NOISE_MESSAGE;
export const FrameType = { HANDSHAKE: 1, TRANSPORT: 2, ABORT: 3 } as const;
export type FrameTypeValue = (typeof FrameType)[keyof typeof FrameType];
/** [2. Frames] The only ABORT body: one generic code, whatever the reason. */
export const ABORT_GENERIC = 1;

/** [3. Handshake] */
export const NOISE_PROTOCOL_NAME = 'Noise_XX_25519_ChaChaPoly_SHA256';
export const PROLOGUE_LABEL = 'MemCloud';
export const SIGNATURE_CONTEXT = 'memcloud/v1/handshake-signature';
export const HANDSHAKE_TIMEOUT_MS = 10_000;
/** [3.5] A responder drops a connection whose preamble and message 1 are not in within this. */
export const FIRST_MESSAGE_TIMEOUT_MS = 3000;
/** [3.2] Message 1 is exactly an ephemeral key. */
export const HANDSHAKE_MESSAGE_1_LENGTH = 32;
/** [12.1] The largest team certificate (two 64-byte names); engine/team checks it is its own maximum. */
export const MAX_TEAM_CERTIFICATE = 147 + 2 * 64;
/** [3.3] The largest identity payload: 108 fixed bytes, a 64-byte name, and (format 2) a certificate behind its u16 length. */
export const MAX_IDENTITY_PAYLOAD = 108 + 64 + 2 + MAX_TEAM_CERTIFICATE;
/** [3.2] e || ENC(s) || ENC(payload). */
export const MAX_HANDSHAKE_MESSAGE_2 = 32 + 48 + MAX_IDENTITY_PAYLOAD + 16;
/** [3.2] ENC(s) || ENC(payload). */
export const MAX_HANDSHAKE_MESSAGE_3 = 48 + MAX_IDENTITY_PAYLOAD + 16;

/** [5. Transport] */
export const MAX_RECORD_PLAINTEXT = MAX_SEALED_PLAINTEXT;
export const REKEY_INTERVAL = 65_536;
export const CHANNEL_ID_CONTEXT = 'memcloud/v1/channel-id';

/** [6. Channel messages] u32 length || kind || body; length counts kind + body. */
export const MESSAGE_HEADER_LENGTH = 5;
export const MAX_MESSAGE_BODY = 16 * 1024 * 1024 + 4096;
/** TICKET (section 13.4): only to an initiator that set the TICKETS preamble flag. */
export const MessageKind = { APP: 0, HELLO: 1, CLOSE: 2, PING: 3, PONG: 4, TICKET: 5 } as const;
export type MessageKindValue = (typeof MessageKind)[keyof typeof MessageKind];
/** [4] Until a side has sent HELLO, the peer may send only HELLO then CLOSE: at most one record holding both. */
export const MAX_PRE_ADMISSION_RECORD = TAG_LENGTH + (MESSAGE_HEADER_LENGTH + 32) + (MESSAGE_HEADER_LENGTH + 1);
export const CloseReason = { NORMAL: 0, GOING_AWAY: 1 } as const;
export type CloseReasonValue = (typeof CloseReason)[keyof typeof CloseReason];
