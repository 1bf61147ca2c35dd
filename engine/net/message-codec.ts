// Channel messages inside the decrypted byte stream (docs/protocol.md section 6):
// u32 BE length (kind byte + body) || u8 kind || body. Messages may span records and records may
// hold many messages. The length is checked before the body buffer is allocated.

import { ErrorCodes, MemCloudError } from '../errors';
import { MAX_MESSAGE_BODY, MESSAGE_HEADER_LENGTH, MessageKind, type MessageKindValue } from './constants';

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

export type MessageHandler = (kind: MessageKindValue, body: Buffer) => void;

/**
 * Incremental decoder over decrypted record plaintexts. Bodies wholly inside one record are views
 * into it: a consumer that keeps a body beyond the callback should copy small ones.
 */
export class MessageDecoder {
  private readonly header = Buffer.alloc(MESSAGE_HEADER_LENGTH);
  private headerFill = 0;
  private body: Buffer | null = null;
  private bodyFill = 0;
  private kind: MessageKindValue = MessageKind.APP;

  push(chunk: Buffer, onMessage: MessageHandler): void {
    let offset = 0;
    while (offset < chunk.length) {
      if (this.body === null) {
        if (this.headerFill === 0 && chunk.length - offset >= MESSAGE_HEADER_LENGTH) {
          const length = this.check(chunk.readUInt32BE(offset), chunk[offset + 4]!);
          const start = offset + MESSAGE_HEADER_LENGTH;
          if (chunk.length - start >= length) {
            offset = start + length;
            onMessage(this.kind, chunk.subarray(start, offset));
            continue;
          }
          this.body = Buffer.allocUnsafe(length);
          this.bodyFill = 0;
          offset = start;
          continue;
        }
        const take = Math.min(MESSAGE_HEADER_LENGTH - this.headerFill, chunk.length - offset);
        chunk.copy(this.header, this.headerFill, offset, offset + take);
        this.headerFill += take;
        offset += take;
        if (this.headerFill < MESSAGE_HEADER_LENGTH) return;
        this.headerFill = 0;
        const length = this.check(this.header.readUInt32BE(0), this.header[4]!);
        this.body = Buffer.allocUnsafe(length);
        this.bodyFill = 0;
        if (length === 0) this.emit(onMessage);
        continue;
      }
      const take = Math.min(this.body.length - this.bodyFill, chunk.length - offset);
      chunk.copy(this.body, this.bodyFill, offset, offset + take);
      this.bodyFill += take;
      offset += take;
      if (this.bodyFill === this.body.length) this.emit(onMessage);
    }
  }

  private emit(onMessage: MessageHandler): void {
    const body = this.body!;
    this.body = null;
    onMessage(this.kind, body);
  }

  private check(length: number, kind: number): number {
    if (length === 0) throw new MemCloudError(ErrorCodes.FRAME_MALFORMED, 'channel message of length 0');
    if (length - 1 > MAX_MESSAGE_BODY) {
      throw new MemCloudError(ErrorCodes.FRAME_TOO_LARGE, `channel message of ${length} bytes exceeds ${MAX_MESSAGE_BODY + 1}`);
    }
    if (!validKinds.has(kind)) throw new MemCloudError(ErrorCodes.FRAME_MALFORMED, `unknown channel message kind ${kind}`);
    this.kind = kind as MessageKindValue;
    return length - 1;
  }
}
