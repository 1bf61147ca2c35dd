// Which crypto runs where, put together once for the engine, tests and benchmarks alike: the
// backend's handshake operations and record sealing, inline or in the pool as crypto/place.ts says.

import type { DeviceIdentity } from '../identity/device-identity';
import type { CryptoBackend } from './backends';
import type { CryptoBackendName } from './backend-name';
import type { HandshakeCrypto } from './handshake/handshake-crypto';
import { InlineHandshakeCrypto } from './handshake/inline-handshake-crypto';
import { PooledHandshakeCrypto } from './handshake/pooled-handshake-crypto';
import type { KeyPair } from './noise/dh';
import { PLACEMENT, type Placement } from './place';
import type { CryptoOps } from './pool/crypto-messages';
import type { RecordCrypto } from './record-crypto';
import { SmallBlockAead } from './small-block-aead';

/** Where owner-sealed blocks of at least `minBytes` are sealed and opened (data/block-seal.ts). */
export interface BlockOffload {
  readonly pool: CryptoOps;
  readonly backend: CryptoBackendName;
  readonly minBytes: number;
}

export interface CryptoSetup {
  readonly backend: CryptoBackendName;
  readonly handshakeCrypto: HandshakeCrypto;
  readonly recordCrypto: RecordCrypto;
  /** null: every block is sealed on the engine thread. */
  readonly blockOffload: BlockOffload | null;
  /** null: every block is sealed with the backend's own AEAD. */
  readonly smallBlocks: SmallBlockAead | null;
}

/**
 * `backend` must be loaded (backends.ts loadBackend). pool null = everything on this thread.
 * `place` other than the backend's own is for benchmarks that compare placements.
 */
export function createCryptoSetup(
  backend: CryptoBackend,
  identity: DeviceIdentity,
  staticKeyPair: KeyPair,
  pool: CryptoOps | null,
  place: Placement = PLACEMENT[backend.name],
): CryptoSetup {
  const handshakeCrypto =
    pool !== null && place.asym === 'pool'
      ? new PooledHandshakeCrypto(pool, backend, identity)
      : new InlineHandshakeCrypto(backend, identity, staticKeyPair);
  const recordCrypto: RecordCrypto = {
    aead: backend.aead,
    pool: place.recordPoolMinBytes === Infinity ? null : pool,
    offloadThreshold: pool === null ? Infinity : place.recordPoolMinBytes,
  };
  const blockOffload = pool !== null && place.blockPoolMinBytes !== Infinity ? { pool, backend: backend.name, minBytes: place.blockPoolMinBytes } : null;
  const small = place.smallBlocks ?? null;
  const smallBlocks = small !== null && SmallBlockAead.available(small.backend) ? new SmallBlockAead(small.backend, small.maxBytes) : null;
  return { backend: backend.name, handshakeCrypto, recordCrypto, blockOffload, smallBlocks };
}
