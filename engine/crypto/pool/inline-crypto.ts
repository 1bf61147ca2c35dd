// Same-thread twin of the crypto pool, with identical signatures: the reference the pool is tested
// against. Caller buffers are read, never modified.
import type { CryptoBackendName } from '../backend-name';
import { loadBackend } from '../backends';
import {
  parseCryptoTask,
  type AsymOp,
  type AsymResult,
  type CryptoOps,
  type OpenBatchResult,
} from './crypto-messages';
import { expectOutcome, runCryptoTask } from './crypto-work';

export class InlineCrypto implements CryptoOps {
  async seal(backend: CryptoBackendName, key: Uint8Array, nonce: number, records: readonly Uint8Array[], adPrefix?: Uint8Array): Promise<Uint8Array[]> {
    const task = parseCryptoTask({ kind: 'seal', backend, key, nonce, records, ...(adPrefix && { adPrefix }) });
    await loadBackend(backend);
    return expectOutcome(runCryptoTask(task), 'seal').records;
  }

  async open(backend: CryptoBackendName, key: Uint8Array, nonce: number, records: readonly Uint8Array[], adPrefix?: Uint8Array): Promise<OpenBatchResult> {
    const task = parseCryptoTask({ kind: 'open', backend, key, nonce, records, ...(adPrefix && { adPrefix }) });
    await loadBackend(backend);
    return expectOutcome(runCryptoTask(task), 'open').result;
  }

  async asym(backend: CryptoBackendName, ops: readonly AsymOp[]): Promise<AsymResult[]> {
    const task = parseCryptoTask({ kind: 'asym', backend, ops });
    await loadBackend(backend);
    return expectOutcome(runCryptoTask(task), 'asym').results;
  }
}
