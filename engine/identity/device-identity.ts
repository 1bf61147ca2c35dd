// This device's Ed25519 identity. The secret seed stays in a private field and leaves only
// through exportSecretKeyForSigning() or sign(); JSON, inspect and console output show public
// values only.

import { inspect } from 'node:util';
import { ed25519 } from '@noble/curves/ed25519.js';
import { fingerprint, shortFingerprint } from './fingerprint';
import { encodePublicKey, publicKeysEqual } from './public-key';

export const SECRET_KEY_BYTES = 32;

export class DeviceIdentity {
  readonly #secretKey: Uint8Array;
  readonly #publicKey: Uint8Array;
  /** Base64url text form, as `memcloud id` prints it. */
  readonly publicKeyText: string;
  readonly fingerprint: string;
  readonly shortFingerprint: string;
  /** ISO time the identity was created. */
  readonly createdAt: string;

  /**
   * `secretKey` is the 32-byte Ed25519 seed; it is copied. Throws if `publicKey` is given and
   * does not derive from it.
   */
  constructor(secretKey: Uint8Array, createdAt: string, publicKey?: Uint8Array) {
    if (secretKey.length !== SECRET_KEY_BYTES) throw new RangeError(`secret key must be ${SECRET_KEY_BYTES} bytes`);
    this.#secretKey = Uint8Array.from(secretKey);
    const derived = ed25519.getPublicKey(this.#secretKey);
    if (publicKey !== undefined && !publicKeysEqual(derived, publicKey)) {
      throw new RangeError('public key does not match the secret key');
    }
    this.#publicKey = derived;
    this.publicKeyText = encodePublicKey(derived);
    this.fingerprint = fingerprint(derived);
    this.shortFingerprint = shortFingerprint(derived);
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

  /** A copy of the 32-byte secret seed. The caller owns it and should zero it after use. */
  exportSecretKeyForSigning(): Uint8Array {
    return Uint8Array.from(this.#secretKey);
  }

  /** Ed25519 signature (RFC 8032) of `message`. */
  sign(message: Uint8Array): Uint8Array {
    return ed25519.sign(message, this.#secretKey);
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
