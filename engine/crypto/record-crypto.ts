// How a secure channel seals and opens its records: on the engine thread, or, for batches of at
// least `offloadThreshold` bytes, in the crypto pool (crypto/place.ts says which per backend).

import type { Aead } from './aead/aead';
import type { CryptoOps } from './pool/crypto-messages';

export interface SealedRecord {
  /** Pieces to write after the frame header, in order (ciphertext and tag, or both together). */
  readonly pieces: readonly Uint8Array[];
  readonly length: number;
}

export interface RecordCrypto {
  readonly aead: Aead;
  /** Where batches go when they reach offloadThreshold; null = always inline. */
  readonly pool: CryptoOps | null;
  readonly offloadThreshold: number;
}
