// Same-thread front-end: the engine's choice for small messages (a pool hop costs ~60 us),
// and the reference the pool is tested against. Caller buffers are read, never modified.
import {
  parseCryptoTask,
  type AsymOp,
  type AsymResult,
  type CryptoBackendName,
  type CryptoOps,
  type OpenBatchResult,
} from './crypto-messages';
import { expectOutcome, runCryptoTask } from './crypto-work';

export class InlineCrypto implements CryptoOps {
  async seal(backend: CryptoBackendName, key: Uint8Array, nonce: number, records: readonly Uint8Array[]): Promise<Uint8Array[]> {
    const task = parseCryptoTask({ kind: 'seal', backend, key, nonce, records });
    return expectOutcome(runCryptoTask(task), 'seal').records;
  }

  async open(backend: CryptoBackendName, key: Uint8Array, nonce: number, records: readonly Uint8Array[]): Promise<OpenBatchResult> {
    const task = parseCryptoTask({ kind: 'open', backend, key, nonce, records });
    return expectOutcome(runCryptoTask(task), 'open').result;
  }

  async asym(backend: CryptoBackendName, ops: readonly AsymOp[]): Promise<AsymResult[]> {
    const task = parseCryptoTask({ kind: 'asym', backend, ops });
    return expectOutcome(runCryptoTask(task), 'asym').results;
  }
}
