// Noise spec section 4.1 DH functions: 25519, as an adapter over the asymmetric seam. The engine's
// handshake answers DH requests itself (handshake-state.ts yields them, so they can run in the
// crypto pool); this adapter serves the synchronous writeMessage/readMessage drivers.

import { ErrorCodes, MemCloudError } from '../../errors';
import { x25519Once, type AsymBackend } from '../asym/asym';
import { DH_LENGTH } from '../constants';
import { isAllZero, zero } from './bytes';

export interface KeyPair {
  publicKey: Uint8Array;
  secretKey: Uint8Array;
}

export interface NoiseDH {
  readonly name: '25519';
  readonly dhLen: 32;
  generateKeyPair(): KeyPair;
  /** DH(secretKey, publicKey). Throws HANDSHAKE_FAILED for low-order (all-zero output) points. */
  dh(secretKey: Uint8Array, publicKey: Uint8Array): Uint8Array;
}

export function noiseDh(asym: AsymBackend): NoiseDH {
  return Object.freeze({
    name: '25519' as const,
    dhLen: DH_LENGTH,
    generateKeyPair(): KeyPair {
      const { secretKey, publicKey } = asym.generateX25519();
      return { secretKey, publicKey };
    },
    dh(secretKey: Uint8Array, publicKey: Uint8Array): Uint8Array {
      if (secretKey.length !== DH_LENGTH || publicKey.length !== DH_LENGTH) {
        throw new MemCloudError(ErrorCodes.BAD_ARGUMENT, '25519 keys must be 32 bytes');
      }
      const shared = new Uint8Array(DH_LENGTH);
      x25519Once(asym, secretKey, publicKey, shared);
      // Belt and braces: the spec's own test for a low-order point is an all-zero result.
      if (isAllZero(shared)) {
        zero(shared);
        throw new MemCloudError(ErrorCodes.HANDSHAKE_FAILED, 'invalid DH public key');
      }
      return shared;
    },
  });
}
