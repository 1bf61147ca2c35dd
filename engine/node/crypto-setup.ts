// Which crypto runs where, decided once for the engine, tests and benchmarks alike.

import { createAead, nativeAeadAvailable, type AeadBackendName } from '../crypto/aead';
import type { KeyPair } from '../crypto/noise/dh';
import { nativeAsymAvailable, type CryptoOps } from '../crypto/pool';
import { ErrorCodes, MemCloudError } from '../errors';
import type { DeviceIdentity } from '../identity/device-identity';
import type { HandshakeCrypto } from '../net/handshake-crypto';
import { NativeHandshakeCrypto } from '../net/native-handshake-crypto';
import { OpsHandshakeCrypto } from '../net/ops-handshake-crypto';
import { InlineCrypto } from '../crypto/pool';
import { DEFAULT_OFFLOAD_THRESHOLD, type RecordCrypto } from '../net/record-crypto';
import type { CryptoChoice } from './engine-options';

export function chooseBackend(choice: CryptoChoice): AeadBackendName {
  const nativeOk = nativeAeadAvailable() && nativeAsymAvailable();
  if (choice === 'native' && !nativeOk) {
    throw new MemCloudError(ErrorCodes.BAD_ARGUMENT, 'crypto "native" is not available in this runtime (no chacha20-poly1305 in node:crypto); use "auto" or "noble"');
  }
  if (choice === 'auto') return nativeOk ? 'native' : 'noble';
  return choice;
}

export interface CryptoSetup {
  readonly backend: AeadBackendName;
  readonly handshakeCrypto: HandshakeCrypto & { close(): Promise<void> };
  readonly recordCrypto: RecordCrypto;
}

/**
 * Native (plain Node): everything inline on the engine thread. Native X25519/Ed25519 cost 50-150 us
 * and native ChaCha20-Poly1305 seals 64 KiB in ~50 us, both less than a piscina round trip
 * (~100 us), and measured faster inline at every batch size (docs/performance.md).
 * Noble (Electron, where node:crypto lacks chacha20-poly1305): each X25519/Ed25519 operation costs
 * ~1 ms and sealing runs at ~150 MB/s, so handshake operations and record batches of 64 KiB or more
 * go to the pool and the engine's event loop stays free. pool null = everything inline (tests).
 */
export function createCryptoSetup(backend: AeadBackendName, identity: DeviceIdentity, staticKeyPair: KeyPair, pool: CryptoOps | null): CryptoSetup {
  const aead = createAead(backend);
  if (backend === 'native') {
    return { backend, handshakeCrypto: new NativeHandshakeCrypto(identity, staticKeyPair), recordCrypto: { aead, pool: null, offloadThreshold: Infinity } };
  }
  return {
    backend,
    handshakeCrypto: new OpsHandshakeCrypto(pool ?? new InlineCrypto(), backend, identity),
    recordCrypto: { aead, pool, offloadThreshold: DEFAULT_OFFLOAD_THRESHOLD },
  };
}
