// Validation of the data API's keys and values: precise messages, checked before anything is
// stored (store options are api/schemas.ts's storeOptions, checked where calls enter).

import { ErrorCodes, MemCloudError } from '../errors';
import { MAX_MESSAGE_BODY } from '../net/constants';
import { formatSize } from '../store/sizes';

export const MAX_KEY_BYTES = 1024;
/** A block travels in one channel message; larger data goes through streams (push). */
export const MAX_VALUE_BYTES = MAX_MESSAGE_BODY - 4096;

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
  if (value.length > MAX_VALUE_BYTES) {
    throw bad(`a value of ${formatSize(value.length)} exceeds ${formatSize(MAX_VALUE_BYTES)}; use a stream (memcloud push) for large data`);
  }
  return value;
}
