// The identity-signer seam: how the handshake signs with this device's identity key when the key
// is not in our memory (a PKCS#11 token: the private key never leaves it). A key held in memory
// (the plain, OS-wrapped and passphrase forms once unwrapped) signs inside the handshake crypto
// instead, where node:crypto keeps it imported; see DeviceIdentity.externalSigner.

export interface IdentitySigner {
  /** The 32-byte Ed25519 public key the signatures verify under. */
  readonly publicKey: Uint8Array;
  /** Where the key lives, for logs and `memcloud id` (never secret). */
  readonly description: string;
  /** Ed25519 signature (RFC 8032, 64 bytes) of `message`. */
  sign(message: Uint8Array): Promise<Uint8Array>;
  /** Releases the token session. Idempotent. */
  close(): Promise<void>;
}
