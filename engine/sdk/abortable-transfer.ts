// A node-side file transfer (pushFile, pullFile) ended by an AbortSignal: the abort asks the node to
// cancel the transfer by its id, which ends it at once and leaves nothing stored (a push frees the
// chunks it stored; a pull removes its temporary file). The call then rejects with CANCELLED.

import { randomBytes } from 'node:crypto';
import { ErrorCodes, MemCloudError, isMemCloudError } from '../errors';

/** How often an abort that arrived before the node registered the transfer asks again. */
const RETRY_MS = 50;

export async function abortableTransfer<T>(
  signal: AbortSignal | undefined,
  requestedId: string | undefined,
  cancel: (transferId: string) => Promise<void>,
  run: (transferId: string | undefined) => Promise<T>,
): Promise<T> {
  if (!signal) return run(requestedId);
  if (signal.aborted) throw new MemCloudError(ErrorCodes.CANCELLED, 'the transfer was aborted before it started');
  const transferId = requestedId ?? randomBytes(8).toString('hex');
  let settled = false;
  const onAbort = async (): Promise<void> => {
    // The node may not know the transfer yet (the call is still on its way): ask until it does.
    while (!settled) {
      try {
        return await cancel(transferId);
      } catch (err) {
        if (!isMemCloudError(err, 'NOT_FOUND')) return;
      }
      await new Promise((r) => setTimeout(r, RETRY_MS));
    }
  };
  const listener = () => void onAbort();
  signal.addEventListener('abort', listener, { once: true });
  try {
    return await run(transferId);
  } finally {
    settled = true;
    signal.removeEventListener('abort', listener);
  }
}
