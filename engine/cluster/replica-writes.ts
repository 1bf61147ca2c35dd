// Writing one block to its holders: all at once, noting which took it and the first refusal, so the
// caller can retry elsewhere. One holder (the common case) costs no Promise.allSettled.

import { MemCloudError, toMemCloudError } from '../errors';
import type { HolderId } from './replica-io';

export interface WriteOutcome {
  readonly written: HolderId[];
  failed: HolderId[];
  error: MemCloudError | null;
}

/** Writes to every holder in `queue` with `write`, adding each to `out.written` or `out.failed`. */
export async function writeEach(queue: readonly HolderId[], write: (holder: HolderId) => Promise<void>, out: WriteOutcome): Promise<void> {
  if (queue.length === 1) {
    const h = queue[0]!;
    try {
      await write(h);
      out.written.push(h);
    } catch (err) {
      out.failed.push(h);
      out.error ??= toMemCloudError(err);
    }
    return;
  }
  const snapshot = [...queue]; // `queue` may be a record's own holder list, which can change meanwhile
  const results = await Promise.allSettled(snapshot.map(write));
  results.forEach((r, i) => {
    if (r.status === 'fulfilled') out.written.push(snapshot[i]!);
    else {
      out.failed.push(snapshot[i]!);
      out.error ??= toMemCloudError(r.reason);
    }
  });
}

/** The same holders, in any order (holder lists have no duplicates). */
export function sameMembers(a: readonly HolderId[], b: readonly HolderId[]): boolean {
  if (a.length !== b.length) return false;
  for (const h of a) if (!b.includes(h)) return false;
  return true;
}
