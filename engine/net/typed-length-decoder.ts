// `length:u32 BE || type:u8 || body`, the shape of both wire frames (docs/protocol.md section 2)
// and channel messages (section 6), over the one length-prefixed decoder (engine/wire). The type is
// checked as soon as its byte is in, before anything is allocated; the owner can tighten the limits
// between two units (e.g. before both HELLOs).

import { ErrorCodes, MemCloudError } from '../errors';
import { LengthPrefixedDecoder, type UnitSink } from '../wire/length-prefixed';

export type UnitHandler<T extends number> = (type: T, body: Buffer) => void;

const HEADER = 5;

export interface TypedLengthLimits<T extends number> {
  /** Largest body accepted now; checked on the 4 length bytes. */
  readonly maxBody: number;
  /** Throws when `type` (already known to be valid) may not carry a body of `bodyLength` now. */
  check?(type: T, bodyLength: number): void;
}

/** See LengthPrefixedDecoder for views, assembly and the failed latch. */
export class TypedLengthDecoder<T extends number> {
  protected readonly decoder: LengthPrefixedDecoder;
  #limits: TypedLengthLimits<T>;
  #handler: UnitHandler<T> = () => undefined;
  readonly #sink: UnitSink = (header, at, body) => this.#handler(header[at + 4]! as T, body);

  constructor(
    /** Names the unit in errors: "frame", "channel message". */
    unit: string,
    private readonly validTypes: ReadonlySet<number>,
    limits: TypedLengthLimits<T>,
  ) {
    this.#limits = limits;
    this.decoder = new LengthPrefixedDecoder({ unit, headerLength: HEADER }, limits.maxBody, (header, at, bodyLength) => {
      const type = header[at + 4]!;
      if (!this.validTypes.has(type)) throw new MemCloudError(ErrorCodes.FRAME_MALFORMED, `unknown ${unit} type ${type}`);
      this.#limits.check?.(type as T, bodyLength);
    });
  }

  get limits(): TypedLengthLimits<T> {
    return this.#limits;
  }

  /** Applies from the next unit's header on, even one already in the chunk being decoded. */
  set limits(limits: TypedLengthLimits<T>) {
    this.#limits = limits;
    this.decoder.maxBody = limits.maxBody;
  }

  /** True when no partial unit is buffered. */
  get idle(): boolean {
    return this.decoder.idle;
  }

  /** See LengthPrefixedDecoder.lendAssembly: units spanning chunks come in one reused buffer, valid during the call only. */
  set lendAssembly(on: boolean) {
    this.decoder.lendAssembly = on;
  }

  /** See LengthPrefixedDecoder.bodyRoom: where `n` bytes of the body being assembled may be written directly. */
  bodyRoom(n: number): Buffer | null {
    return this.decoder.bodyRoom(n);
  }

  /** `n` bytes were written into the last bodyRoom(n); delivers the unit if that completed it. */
  bodyFilled(n: number, onUnit: UnitHandler<T>): void {
    this.#handler = onUnit;
    this.decoder.bodyFilled(n, this.#sink);
  }

  /** Delivers every complete unit in order. Throws MemCloudError (FRAME_TOO_LARGE / FRAME_MALFORMED). */
  push(chunk: Buffer, onUnit: UnitHandler<T>): void {
    this.#handler = onUnit;
    this.decoder.push(chunk, this.#sink);
  }
}
