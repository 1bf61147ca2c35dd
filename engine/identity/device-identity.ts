// This device's Ed25519 identity. Either the secret seed is in memory (plain, OS-wrapped and
// passphrase forms once unwrapped), in a private field that leaves only through
// exportSecretKeyForSigning() or sign(); or it stays on a hardware token and every signature goes
// through externalSigner (the identity-signer seam). JSON, inspect and console output show public
// values only.

import { inspect } from 'node:util';
import { ed25519 } from '@noble/curves/ed25519.js';
import { ErrorCodes, MemCloudError } from '../errors';
import { fingerprint, shortFingerprint } from './fingerprint';
import type { IdentitySigner } from './identity-signer';
import { encodePublicKey, publicKeysEqual } from './public-key';

export const SECRET_KEY_BYTES = 32;

export class DeviceIdentity {
  readonly #secretKey: Uint8Array | null;
  readonly #signer: IdentitySigner | null;
  readonly #publicKey: Uint8Array;
  /** Base64url text form, as `memcloud id` prints it. */
  readonly publicKeyText: string;
  readonly fingerprint: string;
  readonly shortFingerprint: string;
  /** ISO time the identity was created. */
  readonly createdAt: string;

  /**
   * `secretKey` is the 32-byte Ed25519 seed; it is copied. Throws if `publicKey` is given and
   * does not derive from it. A signer instead: the key never enters this process.
   */
  constructor(secretKey: Uint8Array | IdentitySigner, createdAt: string, publicKey?: Uint8Array) {
    if (secretKey instanceof Uint8Array) {
      if (secretKey.length !== SECRET_KEY_BYTES) throw new RangeError(`secret key must be ${SECRET_KEY_BYTES} bytes`);
      this.#secretKey = Uint8Array.from(secretKey);
      this.#signer = null;
      const derived = ed25519.getPublicKey(this.#secretKey);
      if (publicKey !== undefined && !publicKeysEqual(derived, publicKey)) {
        this.#secretKey.fill(0);
        throw new RangeError('public key does not match the secret key');
      }
      this.#publicKey = derived;
    } else {
      this.#secretKey = null;
      this.#signer = secretKey;
      this.#publicKey = Uint8Array.from(secretKey.publicKey);
    }
    this.publicKeyText = encodePublicKey(this.#publicKey);
    this.fingerprint = fingerprint(this.#publicKey);
    this.shortFingerprint = shortFingerprint(this.#publicKey);
    this.createdAt = createdAt;
  }

  static generate(now: Date = new Date()): DeviceIdentity {
    const seed = ed25519.utils.randomSecretKey();
    try {
      return new DeviceIdentity(seed, now.toISOString());
    } finally {
      seed.fill(0);
    }
  }

  /** A copy of the 32-byte public key. */
  get publicKey(): Uint8Array {
    return Uint8Array.from(this.#publicKey);
  }

  /** The signer that holds the key elsewhere (a token), or null when the seed is in memory. */
  get externalSigner(): IdentitySigner | null {
    return this.#signer;
  }

  /** A copy of the 32-byte secret seed. The caller owns it and should zero it after use. */
  exportSecretKeyForSigning(): Uint8Array {
    if (this.#secretKey === null) throw keyElsewhere(this.#signer!);
    return Uint8Array.from(this.#secretKey);
  }

  /** Ed25519 signature (RFC 8032) of `message`, with a key in memory. */
  sign(message: Uint8Array): Uint8Array {
    if (this.#secretKey === null) throw keyElsewhere(this.#signer!);
    return ed25519.sign(message, this.#secretKey);
  }

  /** Ed25519 signature through whichever holds the key. */
  signAsync(message: Uint8Array): Promise<Uint8Array> {
    return this.#signer ? this.#signer.sign(message) : Promise.resolve(this.sign(message));
  }

  toJSON(): { publicKey: string; fingerprint: string; createdAt: string } {
    return { publicKey: this.publicKeyText, fingerprint: this.fingerprint, createdAt: this.createdAt };
  }

  toString(): string {
    return `DeviceIdentity(${this.fingerprint})`;
  }

  [inspect.custom](): string {
    return `DeviceIdentity { publicKey: '${this.publicKeyText}', fingerprint: '${this.fingerprint}' }`;
  }
}

function keyElsewhere(signer: IdentitySigner): MemCloudError {
  return new MemCloudError(ErrorCodes.INTERNAL, `the identity key is held by ${signer.description}; it signs there and cannot be exported`);
}
