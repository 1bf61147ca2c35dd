// How a secure channel seals and opens its records: small batches inline on the engine thread,
// batches of at least `offloadThreshold` bytes in the crypto pool (a pool round trip costs about
// 60 us, so per-record tasks would be slower than sealing inline).

import type { AeadBackend } from '../crypto/aead';
import type { CryptoOps } from '../crypto/pool/crypto-messages';

export interface SealedRecord {
  /** Pieces to write after the frame header, in order (ciphertext and tag, or both together). */
  readonly pieces: readonly Uint8Array[];
  readonly length: number;
}

export interface RecordCrypto {
  readonly aead: AeadBackend;
  /** Where batches go when they reach offloadThreshold; null = always inline. */
  readonly pool: CryptoOps | null;
  readonly offloadThreshold: number;
}

export const DEFAULT_OFFLOAD_THRESHOLD = 64 * 1024;
