// Frame layer (docs/protocol.md section 2): u32 BE length || u8 type || body.
// The length is checked before anything is allocated, so a hostile 4 GiB prefix costs nothing.

import { ErrorCodes, MemCloudError } from '../errors';
import { FRAME_HEADER_LENGTH, FrameType, MAX_FRAME_BODY, type FrameTypeValue } from './constants';

const validTypes: ReadonlySet<number> = new Set(Object.values(FrameType));

export function encodeFrameHeader(type: FrameTypeValue, bodyLength: number): Buffer {
  if (!Number.isInteger(bodyLength) || bodyLength < 0 || bodyLength > MAX_FRAME_BODY) {
    throw new MemCloudError(ErrorCodes.FRAME_TOO_LARGE, `frame body of ${bodyLength} bytes exceeds ${MAX_FRAME_BODY}`);
  }
  const header = Buffer.allocUnsafe(FRAME_HEADER_LENGTH);
  header.writeUInt32BE(bodyLength + 1, 0);
  header[4] = type;
  return header;
}

export function encodeFrame(type: FrameTypeValue, body: Uint8Array): Buffer {
  return Buffer.concat([encodeFrameHeader(type, body.length), body]);
}

export type FrameHandler = (type: FrameTypeValue, body: Buffer) => void;

/**
 * Incremental frame decoder. push() delivers every complete frame to the handler, in order.
 * Bodies that arrive whole inside one chunk are views into it (no copy); others are assembled
 * into a buffer allocated only after the length passed its check.
 */
export class FrameDecoder {
  private readonly header = Buffer.alloc(FRAME_HEADER_LENGTH);
  private headerFill = 0;
  private body: Buffer | null = null;
  private bodyFill = 0;
  private type: FrameTypeValue = FrameType.HANDSHAKE;
  private failed = false;

  /** Throws MemCloudError (FRAME_TOO_LARGE / FRAME_MALFORMED); after that the decoder refuses input. */
  push(chunk: Buffer, onFrame: FrameHandler): void {
    if (this.failed) throw new MemCloudError(ErrorCodes.FRAME_MALFORMED, 'frame decoder already failed');
    let offset = 0;
    try {
      while (offset < chunk.length) {
        if (this.body === null) {
          // Fast path: a whole frame inside the chunk.
          if (this.headerFill === 0 && chunk.length - offset >= FRAME_HEADER_LENGTH) {
            const bodyLength = this.checkHeader(chunk.readUInt32BE(offset), chunk[offset + 4]!);
            const start = offset + FRAME_HEADER_LENGTH;
            if (chunk.length - start >= bodyLength) {
              offset = start + bodyLength;
              onFrame(this.type, chunk.subarray(start, offset));
              continue;
            }
            this.body = Buffer.allocUnsafe(bodyLength);
            this.bodyFill = 0;
            offset = start;
            continue;
          }
          const take = Math.min(FRAME_HEADER_LENGTH - this.headerFill, chunk.length - offset);
          chunk.copy(this.header, this.headerFill, offset, offset + take);
          this.headerFill += take;
          offset += take;
          if (this.headerFill < FRAME_HEADER_LENGTH) return;
          this.headerFill = 0;
          const bodyLength = this.checkHeader(this.header.readUInt32BE(0), this.header[4]!);
          this.body = Buffer.allocUnsafe(bodyLength);
          this.bodyFill = 0;
          if (bodyLength === 0) this.finishBody(onFrame);
          continue;
        }
        const take = Math.min(this.body.length - this.bodyFill, chunk.length - offset);
        chunk.copy(this.body, this.bodyFill, offset, offset + take);
        this.bodyFill += take;
        offset += take;
        if (this.bodyFill === this.body.length) this.finishBody(onFrame);
      }
    } catch (err) {
      this.failed = true;
      throw err;
    }
  }

  /** True when no partial frame is buffered. */
  get idle(): boolean {
    return this.body === null && this.headerFill === 0;
  }

  private finishBody(onFrame: FrameHandler): void {
    const body = this.body!;
    this.body = null;
    this.bodyFill = 0;
    onFrame(this.type, body);
  }

  private checkHeader(length: number, type: number): number {
    if (length === 0) throw new MemCloudError(ErrorCodes.FRAME_MALFORMED, 'frame length 0 (no type byte)');
    if (length - 1 > MAX_FRAME_BODY) {
      throw new MemCloudError(ErrorCodes.FRAME_TOO_LARGE, `frame of ${length} bytes exceeds the ${MAX_FRAME_BODY + 1}-byte limit`);
    }
    if (!validTypes.has(type)) throw new MemCloudError(ErrorCodes.FRAME_MALFORMED, `unknown frame type ${type}`);
    this.type = type as FrameTypeValue;
    return length - 1;
  }
}
