// Incoming control frames: push() delivers every complete frame of a socket chunk, in order.
// The length is checked before anything is allocated. A body lying whole inside the chunk is a
// view into it (`owned` false: copy what you keep); a body spanning chunks is assembled into its
// own buffer (`owned` true).

import { ErrorCodes, MemCloudError } from '../errors';
import { HEADER_AFTER_LENGTH, HEADER_LENGTH, MAX_BODY } from './protocol';

export type FrameSink = (kind: number, op: number, id: number, body: Buffer, owned: boolean) => void;

export class FrameDecoder {
  private readonly header = Buffer.alloc(HEADER_LENGTH);
  private headerFill = 0;
  private body: Buffer | null = null;
  private bodyFill = 0;
  private kind = 0;
  private op = 0;
  private id = 0;
  private failed = false;

  constructor(private readonly maxBody = MAX_BODY) {}

  /** Throws MemCloudError (FRAME_TOO_LARGE / FRAME_MALFORMED); after that it refuses input. */
  push(chunk: Buffer, sink: FrameSink): void {
    if (this.failed) throw new MemCloudError(ErrorCodes.FRAME_MALFORMED, 'control frame decoder already failed');
    try {
      this.consume(chunk, sink);
    } catch (err) {
      this.failed = true;
      throw err;
    }
  }

  /** True when no partial frame is buffered. */
  get idle(): boolean {
    return this.body === null && this.headerFill === 0;
  }

  private consume(chunk: Buffer, sink: FrameSink): void {
    let offset = 0;
    const n = chunk.length;
    while (offset < n) {
      if (this.body !== null) {
        const take = Math.min(this.body.length - this.bodyFill, n - offset);
        chunk.copy(this.body, this.bodyFill, offset, offset + take);
        this.bodyFill += take;
        offset += take;
        if (this.bodyFill === this.body.length) this.finishBody(sink);
        continue;
      }
      if (this.headerFill === 0 && n - offset >= HEADER_LENGTH) {
        // Fast path: the header, and usually the whole frame, is inside this chunk.
        const bodyLength = this.checkLength(chunk.readUInt32BE(offset));
        this.kind = chunk[offset + 4]!;
        this.op = chunk[offset + 5]!;
        this.id = chunk.readUInt32BE(offset + 6);
        const start = offset + HEADER_LENGTH;
        if (n - start >= bodyLength) {
          offset = start + bodyLength;
          sink(this.kind, this.op, this.id, chunk.subarray(start, offset), false);
          continue;
        }
        this.startBody(bodyLength);
        offset = start;
        continue;
      }
      const take = Math.min(HEADER_LENGTH - this.headerFill, n - offset);
      chunk.copy(this.header, this.headerFill, offset, offset + take);
      const hadLength = this.headerFill >= 4;
      this.headerFill += take;
      offset += take;
      // Refuse a bad length as soon as its 4 bytes are in, not when the header completes.
      if (!hadLength && this.headerFill >= 4) this.checkLength(this.header.readUInt32BE(0));
      if (this.headerFill < HEADER_LENGTH) return;
      this.headerFill = 0;
      const bodyLength = this.checkLength(this.header.readUInt32BE(0));
      this.kind = this.header[4]!;
      this.op = this.header[5]!;
      this.id = this.header.readUInt32BE(6);
      if (bodyLength === 0) sink(this.kind, this.op, this.id, Buffer.alloc(0), true);
      else this.startBody(bodyLength);
    }
  }

  private startBody(length: number): void {
    // Not from the shared pool: the assembled body is handed on as owned memory.
    this.body = Buffer.allocUnsafeSlow(length);
    this.bodyFill = 0;
  }

  private finishBody(sink: FrameSink): void {
    const body = this.body!;
    this.body = null;
    this.bodyFill = 0;
    sink(this.kind, this.op, this.id, body, true);
  }

  private checkLength(length: number): number {
    if (length < HEADER_AFTER_LENGTH) {
      throw new MemCloudError(ErrorCodes.FRAME_MALFORMED, `control frame length ${length} is shorter than its header`);
    }
    const body = length - HEADER_AFTER_LENGTH;
    if (body > this.maxBody) {
      throw new MemCloudError(ErrorCodes.FRAME_TOO_LARGE, `control frame body of ${body} bytes exceeds ${this.maxBody}`);
    }
    return body;
  }
}
