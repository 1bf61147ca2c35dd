// The asymmetric operations a handshake needs, behind one interface so they can run in the crypto
// pool (noble: ~1 ms per X25519 or Ed25519 operation would block the event loop) or inline.

import type { KeyPair } from '../crypto/noise/dh';

export interface HandshakeCrypto {
  /** A fresh X25519 key pair for one handshake's ephemeral. */
  ephemeral(): Promise<KeyPair>;
  dh(secretKey: Uint8Array, publicKey: Uint8Array): Promise<Uint8Array>;
  /** Ed25519 signature with this device's identity key. */
  sign(message: Uint8Array): Promise<Uint8Array>;
  verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): Promise<boolean>;
}
