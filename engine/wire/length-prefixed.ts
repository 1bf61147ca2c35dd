// The one incremental decoder for length-prefixed units: `length:u32 BE || rest of header || body`,
// where `length` counts everything after itself. It is the shape of wire frames (docs/protocol.md
// section 2), channel messages (section 6) and control frames (section 10.1), and the framing rules
// live here once:
//  - the length is checked as soon as its 4 bytes are in, before anything else arrives or is
//    allocated (a hostile 4 GiB prefix costs nothing);
//  - the rest of the header is checked by the protocol (`checkHeader`) as soon as it is complete,
//    still before the body is allocated;
//  - the limits may change between two units (e.g. before both HELLOs) and apply to the very next
//    header, even one inside the same chunk;
//  - a body that lies whole inside one chunk is a view into it (`owned` false: copy what you keep);
//    a body spanning chunks is assembled into its own memory (`owned` true, not from Node's pool),
//    or, while `lendAssembly` is set, into one buffer reused for every assembled unit (`owned`
//    false, valid during the call only: for a consumer that is done with each unit when the sink
//    returns, such as a channel opening records on the spot; it saves an allocation per unit);
//  - after an error the decoder refuses all further input.

import { ErrorCodes, MemCloudError } from '../errors';

/** Receives one complete unit. `header[at..at+headerLength)` is its header (valid during the call only). */
export type UnitSink = (header: Buffer, at: number, body: Buffer, owned: boolean) => void;

export interface UnitLayout {
  /** Names the unit in errors: "frame", "channel message", "control frame". */
  readonly unit: string;
  /** All header bytes, the 4 length bytes included. */
  readonly headerLength: number;
}

/**
 * Takes the body of a unit being assembled straight from the producer (see `bodyRoom`), so a
 * caller that can write into it (e.g. decrypting a record) saves a copy.
 */
export class LengthPrefixedDecoder {
  private readonly header: Buffer;
  private readonly after: number;
  private headerFill = 0;
  private body: Buffer | null = null;
  private bodyFill = 0;
  /** The body being assembled lies in `scratch` (lent out, not owned by the unit). */
  private bodyLent = false;
  private scratch: Buffer | null = null;
  private failed = false;
  /**
   * Assemble bodies that span chunks in one reused buffer and lend it to the sink (valid during the
   * call only). Off by default; a unit started while it was on but finished after it was turned
   * off is copied into its own memory first.
   */
  lendAssembly = false;

  constructor(
    readonly layout: UnitLayout,
    /** Largest body accepted now; checked on the 4 length bytes of the next unit. */
    public maxBody: number,
    /** Checks the complete header of a unit before its body is allocated; throws to refuse. */
    public checkHeader: (header: Buffer, at: number, bodyLength: number) => void = () => undefined,
  ) {
    this.header = Buffer.alloc(layout.headerLength);
    this.after = layout.headerLength - 4;
  }

  /** True when no partial unit is buffered. */
  get idle(): boolean {
    return this.body === null && this.headerFill === 0;
  }

  /**
   * Where the next `n` bytes of input would go when they all belong to the body being assembled:
   * a view of the body that the caller may fill and then hand to `bodyFilled(n)` instead of
   * `push`. Null when no body is being assembled or fewer than `n` of its bytes are missing.
   */
  bodyRoom(n: number): Buffer | null {
    if (this.body === null || this.failed || this.body.length - this.bodyFill < n) return null;
    return this.body.subarray(this.bodyFill, this.bodyFill + n);
  }

  /** The caller wrote `n` bytes into the view `bodyRoom(n)` returned. */
  bodyFilled(n: number, sink: UnitSink): void {
    this.bodyFill += n;
    if (this.bodyFill === this.body!.length) this.finish(sink);
  }

  /** Delivers every complete unit in order. Throws MemCloudError (FRAME_TOO_LARGE / FRAME_MALFORMED). */
  push(chunk: Buffer, sink: UnitSink): void {
    if (this.failed) throw new MemCloudError(ErrorCodes.FRAME_MALFORMED, `${this.layout.unit} decoder already failed`);
    try {
      this.consume(chunk, sink);
    } catch (err) {
      this.failed = true;
      throw err;
    }
  }

  private consume(chunk: Buffer, sink: UnitSink): void {
    const headerLength = this.layout.headerLength;
    let offset = 0;
    const n = chunk.length;
    while (offset < n) {
      if (this.body !== null) {
        const take = Math.min(this.body.length - this.bodyFill, n - offset);
        chunk.copy(this.body, this.bodyFill, offset, offset + take);
        this.bodyFill += take;
        offset += take;
        if (this.bodyFill === this.body.length) this.finish(sink);
        continue;
      }
      if (this.headerFill === 0 && n - offset >= headerLength) {
        // Fast path: the whole header is in this chunk, maybe the whole unit.
        const bodyLength = this.checkLength(chunk.readUInt32BE(offset));
        this.checkHeader(chunk, offset, bodyLength);
        const start = offset + headerLength;
        if (n - start >= bodyLength) {
          const at = offset;
          offset = start + bodyLength;
          sink(chunk, at, chunk.subarray(start, offset), false);
          continue;
        }
        chunk.copy(this.header, 0, offset, start); // the header outlives this chunk
        this.startBody(bodyLength);
        offset = start;
        continue;
      }
      const take = Math.min(headerLength - this.headerFill, n - offset);
      chunk.copy(this.header, this.headerFill, offset, offset + take);
      const hadLength = this.headerFill >= 4;
      this.headerFill += take;
      offset += take;
      if (!hadLength && this.headerFill >= 4) this.checkLength(this.header.readUInt32BE(0));
      if (this.headerFill < headerLength) return;
      this.headerFill = 0;
      const bodyLength = this.header.readUInt32BE(0) - this.after;
      this.checkHeader(this.header, 0, bodyLength);
      this.startBody(bodyLength);
      if (bodyLength === 0) this.finish(sink);
    }
  }

  private startBody(bodyLength: number): void {
    this.bodyFill = 0;
    this.bodyLent = this.lendAssembly;
    if (!this.lendAssembly) {
      // Not from Node's shared pool: the assembled body is handed on as the unit's own memory.
      this.body = Buffer.allocUnsafeSlow(bodyLength);
      return;
    }
    // Grows to the largest body seen (bounded by maxBody, checked before we get here).
    if (this.scratch === null || this.scratch.length < bodyLength) this.scratch = Buffer.allocUnsafeSlow(bodyLength);
    this.body = this.scratch.subarray(0, bodyLength);
  }

  private finish(sink: UnitSink): void {
    let body = this.body!;
    const lent = this.bodyLent;
    this.body = null;
    this.bodyFill = 0;
    this.bodyLent = false;
    if (lent && !this.lendAssembly) body = Buffer.from(body);
    sink(this.header, 0, body, !lent || !this.lendAssembly);
  }

  /** The body length the length field announces, or a refusal. */
  private checkLength(length: number): number {
    const { unit, headerLength } = this.layout;
    if (length < this.after) throw new MemCloudError(ErrorCodes.FRAME_MALFORMED, `${unit} length ${length} is shorter than its ${headerLength}-byte header`);
    const body = length - this.after;
    if (body > this.maxBody) throw new MemCloudError(ErrorCodes.FRAME_TOO_LARGE, `${unit} body of ${body} bytes exceeds the ${this.maxBody}-byte limit`);
    return body;
  }
}
