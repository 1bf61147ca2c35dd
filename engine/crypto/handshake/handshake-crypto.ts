// The asymmetric operations a handshake needs, answered either inline over a backend's AsymBackend
// (native, portable: an operation costs less than a pool round trip) or in the crypto pool (noble:
// ~1 ms per operation would hold up the engine's event loop). crypto/place.ts decides which.

import type { NoiseSuite } from '../backends';
import type { KeyPair } from '../noise/dh';

export interface HandshakeCrypto {
  /** The backend's Noise functions, for the handshake state (its own payload sealing and hashing). */
  readonly suite: NoiseSuite;
  /** A fresh X25519 key pair for one handshake's ephemeral; the handshake zeroes its secret. */
  ephemeral(): Promise<KeyPair>;
  dh(secretKey: Uint8Array, publicKey: Uint8Array): Promise<Uint8Array>;
  /** Ed25519 signature with this device's identity key. */
  sign(message: Uint8Array): Promise<Uint8Array>;
  verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): Promise<boolean>;
  /** Wipes the long-lived keys and the spare ephemeral. Idempotent. */
  close(): Promise<void>;
}
