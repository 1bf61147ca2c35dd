// Validation of the data API's keys and values: precise messages, checked before anything is
// stored (store options are api/schemas.ts's storeOptions, checked where calls enter).

import { ErrorCodes, MemCloudError } from '../errors';
import { MAX_VALUE_BYTES } from './stored-size';

export const MAX_KEY_BYTES = 1024;
/** A value is sealed into one block on each holder (see stored-size.ts); larger data goes through streams (push). */
export { MAX_VALUE_BYTES };

function bad(message: string): MemCloudError {
  return new MemCloudError(ErrorCodes.BAD_ARGUMENT, message);
}

/** Keys this short cannot exceed MAX_KEY_BYTES: UTF-8 takes at most 3 bytes per UTF-16 unit. */
const SURELY_SHORT = Math.floor(MAX_KEY_BYTES / 3);

export function validateKey(key: unknown): string {
  if (typeof key !== 'string' || key.length === 0) throw bad('a key must be a non-empty string');
  if (key.length > SURELY_SHORT && Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) throw bad(`a key must be at most ${MAX_KEY_BYTES} bytes of UTF-8`);
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) throw bad('a key must not contain control characters');
  }
  return key;
}

export function validateValue(value: unknown): Uint8Array {
  if (!(value instanceof Uint8Array)) throw bad('a value must be bytes');
  checkValueSize(value.length);
  return value;
}

/** The size rule alone (the SDK checks it before sending; the node checks it again). */
export function checkValueSize(bytes: number): void {
  if (bytes > MAX_VALUE_BYTES) {
    throw bad(`a value holds at most ${MAX_VALUE_BYTES} bytes (sealed, that fills one 16 MiB block); this one has ${bytes}: use a stream (memcloud push) for large data`);
  }
}
