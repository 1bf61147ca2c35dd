// Channel messages inside the decrypted byte stream (docs/protocol.md section 6):
// u32 BE length (kind byte + body) || u8 kind || body. Messages may span records and records may
// hold many messages. The length is checked on its 4 bytes, before the body buffer is allocated.

import { ErrorCodes, MemCloudError } from '../errors';
import { MAX_MESSAGE_BODY, MESSAGE_HEADER_LENGTH, MessageKind, type MessageKindValue } from './constants';
import { TypedLengthDecoder, type TypedLengthLimits, type UnitHandler } from './typed-length-decoder';

const validKinds: ReadonlySet<number> = new Set(Object.values(MessageKind));

export function encodeMessageHeader(kind: MessageKindValue, bodyLength: number): Buffer {
  const h = Buffer.allocUnsafe(MESSAGE_HEADER_LENGTH);
  writeMessageHeader(h, kind, bodyLength);
  return h;
}

/** Writes a message header into the first MESSAGE_HEADER_LENGTH bytes of `into` (no allocation). */
export function writeMessageHeader(into: Buffer, kind: MessageKindValue, bodyLength: number): void {
  if (!Number.isInteger(bodyLength) || bodyLength < 0 || bodyLength > MAX_MESSAGE_BODY) {
    throw new MemCloudError(ErrorCodes.FRAME_TOO_LARGE, `message body of ${bodyLength} bytes exceeds ${MAX_MESSAGE_BODY}`);
  }
  into.writeUInt32BE(bodyLength + 1, 0);
  into[4] = kind;
}

export type MessageHandler = UnitHandler<MessageKindValue>;

/**
 * Incremental decoder over decrypted record plaintexts (see TypedLengthDecoder). Bodies wholly
 * inside one record are views into it: a consumer that keeps a body beyond the callback should
 * copy small ones. The channel narrows the limits until both HELLOs went through (section 6).
 */
export class MessageDecoder extends TypedLengthDecoder<MessageKindValue> {
  constructor(limits: TypedLengthLimits<MessageKindValue> = { maxBody: MAX_MESSAGE_BODY }) {
    super('channel message', validKinds, limits);
  }
}
