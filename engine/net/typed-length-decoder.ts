// The one incremental decoder for `length:u32 BE || type:u8 || body`, the shape of both wire frames
// (docs/protocol.md section 2) and channel messages (section 6). The length is checked as soon as
// its 4 bytes are in and the type as soon as its byte is, both before anything is allocated; the
// owner can tighten the limits between two units (e.g. before both HELLOs), and the new limits
// apply to the very next header, even inside the same chunk.

import { ErrorCodes, MemCloudError } from '../errors';

export type UnitHandler<T extends number> = (type: T, body: Buffer) => void;

const HEADER = 5;

export interface TypedLengthLimits<T extends number> {
  /** Largest body accepted now; checked on the 4 length bytes. */
  readonly maxBody: number;
  /** Throws when `type` (already known to be valid) may not carry a body of `bodyLength` now. */
  check?(type: T, bodyLength: number): void;
}

/**
 * Bodies that arrive whole inside one chunk are views into it (no copy); others are assembled
 * into a buffer allocated only after the header passed every check. After an error the decoder
 * refuses all further input.
 */
export class TypedLengthDecoder<T extends number> {
  private readonly header = Buffer.alloc(HEADER);
  private headerFill = 0;
  private body: Buffer | null = null;
  private bodyFill = 0;
  private type: T;
  private failed = false;

  constructor(
    /** Names the unit in errors: "frame", "channel message". */
    private readonly unit: string,
    private readonly validTypes: ReadonlySet<number>,
    public limits: TypedLengthLimits<T>,
  ) {
    this.type = validTypes.values().next().value as T;
  }

  /** True when no partial unit is buffered. */
  get idle(): boolean {
    return this.body === null && this.headerFill === 0;
  }

  /** Delivers every complete unit in order. Throws MemCloudError (FRAME_TOO_LARGE / FRAME_MALFORMED). */
  push(chunk: Buffer, onUnit: UnitHandler<T>): void {
    if (this.failed) throw new MemCloudError(ErrorCodes.FRAME_MALFORMED, `${this.unit} decoder already failed`);
    try {
      this.consume(chunk, onUnit);
    } catch (err) {
      this.failed = true;
      throw err;
    }
  }

  private consume(chunk: Buffer, onUnit: UnitHandler<T>): void {
    let offset = 0;
    while (offset < chunk.length) {
      if (this.body !== null) {
        const take = Math.min(this.body.length - this.bodyFill, chunk.length - offset);
        chunk.copy(this.body, this.bodyFill, offset, offset + take);
        this.bodyFill += take;
        offset += take;
        if (this.bodyFill === this.body.length) this.finish(onUnit);
        continue;
      }
      if (this.headerFill === 0 && chunk.length - offset >= HEADER) {
        // Fast path: the whole header is in this chunk, maybe the whole unit.
        this.checkLength(chunk.readUInt32BE(offset));
        const bodyLength = this.checkType(chunk.readUInt32BE(offset), chunk[offset + 4]!);
        const start = offset + HEADER;
        if (chunk.length - start >= bodyLength) {
          offset = start + bodyLength;
          onUnit(this.type, chunk.subarray(start, offset));
          continue;
        }
        this.startBody(bodyLength);
        offset = start;
        continue;
      }
      const take = Math.min(HEADER - this.headerFill, chunk.length - offset);
      chunk.copy(this.header, this.headerFill, offset, offset + take);
      const before = this.headerFill;
      this.headerFill += take;
      offset += take;
      if (before < 4 && this.headerFill >= 4) this.checkLength(this.header.readUInt32BE(0));
      if (this.headerFill < HEADER) return;
      this.headerFill = 0;
      this.startBody(this.checkType(this.header.readUInt32BE(0), this.header[4]!));
      if (this.body!.length === 0) this.finish(onUnit);
    }
  }

  private startBody(bodyLength: number): void {
    this.body = Buffer.allocUnsafe(bodyLength);
    this.bodyFill = 0;
  }

  private finish(onUnit: UnitHandler<T>): void {
    const body = this.body!;
    this.body = null;
    this.bodyFill = 0;
    onUnit(this.type, body);
  }

  private checkLength(length: number): void {
    if (length === 0) throw new MemCloudError(ErrorCodes.FRAME_MALFORMED, `${this.unit} length 0 (no type byte)`);
    if (length - 1 > this.limits.maxBody) {
      throw new MemCloudError(ErrorCodes.FRAME_TOO_LARGE, `${this.unit} of ${length} bytes exceeds the ${this.limits.maxBody + 1}-byte limit`);
    }
  }

  private checkType(length: number, type: number): number {
    if (!this.validTypes.has(type)) throw new MemCloudError(ErrorCodes.FRAME_MALFORMED, `unknown ${this.unit} type ${type}`);
    this.limits.check?.(type as T, length - 1);
    this.type = type as T;
    return length - 1;
  }
}
