// Frame layer (docs/protocol.md section 2): u32 BE length || u8 type || body.
// The length is checked on its 4 bytes, before anything is allocated: a hostile 4 GiB prefix costs nothing.

import { ErrorCodes, MemCloudError } from '../errors';
import { FRAME_HEADER_LENGTH, FrameType, MAX_FRAME_BODY, type FrameTypeValue } from './constants';
import { TypedLengthDecoder, type UnitHandler } from './typed-length-decoder';

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

export type FrameHandler = UnitHandler<FrameTypeValue>;

/**
 * Incremental frame decoder (see TypedLengthDecoder). `maxBody` starts at the protocol's limit;
 * the handshake and the channel lower it to what may legally come next (docs/protocol.md 2, 3.2, 4).
 */
export class FrameDecoder extends TypedLengthDecoder<FrameTypeValue> {
  constructor(maxBody = MAX_FRAME_BODY) {
    super('frame', validTypes, { maxBody });
  }

  set maxBody(n: number) {
    this.limits = { maxBody: n };
  }
}
