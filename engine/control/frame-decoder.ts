// Incoming control frames (docs/protocol.md section 10.1) over the one length-prefixed decoder
// (engine/wire): push() delivers every complete frame of a socket chunk, in order. A body lying
// whole inside the chunk is a view into it (`owned` false: copy what you keep); a body spanning
// chunks is assembled into its own buffer (`owned` true).

import { LengthPrefixedDecoder, type UnitSink } from '../wire/length-prefixed';
import { HEADER_LENGTH, MAX_BODY } from './protocol';

export type FrameSink = (kind: number, op: number, id: number, body: Buffer, owned: boolean) => void;

const layout = { unit: 'control frame', headerLength: HEADER_LENGTH } as const;

export class FrameDecoder {
  readonly #decoder: LengthPrefixedDecoder;
  #sink: FrameSink = () => undefined;
  readonly #unit: UnitSink = (h, at, body, owned) => this.#sink(h[at + 4]!, h[at + 5]!, h.readUInt32BE(at + 6), body, owned);

  constructor(maxBody = MAX_BODY) {
    this.#decoder = new LengthPrefixedDecoder(layout, maxBody);
  }

  /** Throws MemCloudError (FRAME_TOO_LARGE / FRAME_MALFORMED); after that it refuses input. */
  push(chunk: Buffer, sink: FrameSink): void {
    this.#sink = sink;
    this.#decoder.push(chunk, this.#unit);
  }

  /** True when no partial frame is buffered. */
  get idle(): boolean {
    return this.#decoder.idle;
  }
}
