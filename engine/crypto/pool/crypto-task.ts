// The piscina worker entry (bundled to dist/crypto-task.js). One validated entry: every message
// goes through parseCryptoTask; failures travel back as {code, message}, never as thrown errors.
import { move, transferableSymbol, valueSymbol } from 'piscina';
import { toErrorPayload } from '../../errors';
import { loadBackend } from '../backends';
import { parseCryptoTask, type CryptoReply } from './crypto-messages';
import { outcomeViews, runCryptoTask, zeroSecretInputs } from './crypto-work';
import { buffersOf } from './packed-bytes';

export default async function cryptoTask(message: unknown): Promise<unknown> {
  let reply: CryptoReply;
  let transfer: ArrayBuffer[] = [];
  try {
    const task = parseCryptoTask(message);
    await loadBackend(task.backend); // portable: libsodium loads once per pool thread
    const outcome = runCryptoTask(task);
    transfer = buffersOf(outcomeViews(outcome));
    reply = outcome;
  } catch (err) {
    reply = { ok: false, error: toErrorPayload(err) };
  } finally {
    // Inputs are the pool's private copies: wipe keys now rather than wait for GC.
    zeroSecretInputs(message);
  }
  // Transfer, not copy, the result buffer; this also leaves no copy of any new secret here.
  return move({ [transferableSymbol]: transfer, [valueSymbol]: reply });
}
