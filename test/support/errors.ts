// Matching MemCloud's errors by their stable code: `assert.throws(fn, failsWith('FRAME_TOO_LARGE'))`,
// `await assert.rejects(p, failsWith('TIMEOUT'))`.

import { isMemCloudError } from '../../engine/errors';

/** An assert.throws/rejects validator: the error is a MemCloudError with exactly this code. */
export const failsWith =
  (code: string) =>
  (e: unknown): boolean =>
    isMemCloudError(e) && e.code === code;
