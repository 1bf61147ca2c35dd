// The four asymmetric operations the Noise handshake and device identity need, per backend.
import { ErrorCodes, MemCloudError } from '../../errors';

export interface AsymBackend {
  /** Fresh X25519 key pair written into two 32-byte outputs. */
  x25519Keypair(secretOut: Uint8Array, publicOut: Uint8Array): void;
  /** X25519(secret, public) into a 32-byte output; an all-zero result (low-order point) throws. */
  x25519Dh(secretKey: Uint8Array, publicKey: Uint8Array, out: Uint8Array): void;
  /** Ed25519 signature (RFC 8032, deterministic) by a 32-byte seed, into a 64-byte output. */
  ed25519Sign(seed: Uint8Array, message: Uint8Array, out: Uint8Array): void;
  /** RFC 8032 verification; malformed keys or signatures are simply invalid. */
  ed25519Verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean;
}

/** Both backends refuse an all-zero X25519 output; they report it through this one error. */
export function lowOrderPoint(): MemCloudError {
  return new MemCloudError(ErrorCodes.HANDSHAKE_FAILED, 'x25519: peer public key is a low-order point');
}
