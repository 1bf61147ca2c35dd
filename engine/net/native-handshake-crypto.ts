// HandshakeCrypto on node:crypto, inline on the engine thread: each operation costs 50-150 us, less
// than a pool round trip. Our own long-lived keys (identity, Noise static) and each handshake's
// ephemeral stay imported as KeyObjects, since importing a raw secret costs about as much as the DH.

import { diffieHellman, generateKeyPairSync, sign, timingSafeEqual, type KeyObject } from 'node:crypto';
import type { KeyPair } from '../crypto/noise/dh';
import { importSecret, nativeAsym, publicKeys } from '../crypto/pool/native-asym';
import { ErrorCodes, MemCloudError } from '../errors';
import type { DeviceIdentity } from '../identity/device-identity';
import type { HandshakeCrypto } from './handshake-crypto';

export class NativeHandshakeCrypto implements HandshakeCrypto {
  readonly #identityKey: KeyObject;
  readonly #staticSecret: Uint8Array;
  readonly #staticKey: KeyObject;
  /** Ephemeral secrets we generated, by buffer identity (the Noise core hands the same buffer back). */
  readonly #ephemerals = new WeakMap<Uint8Array, KeyObject>();
  #spare: KeyPair | null = null;
  #closed = false;

  constructor(identity: DeviceIdentity, staticKeyPair: KeyPair) {
    const seed = identity.exportSecretKeyForSigning();
    try {
      this.#identityKey = importSecret('Ed25519', seed);
    } finally {
      seed.fill(0);
    }
    this.#staticSecret = Uint8Array.from(staticKeyPair.secretKey);
    this.#staticKey = importSecret('X25519', this.#staticSecret);
    this.#spare = this.#generate();
  }

  async ephemeral(): Promise<KeyPair> {
    const pair = this.#spare ?? this.#generate();
    this.#spare = null;
    // Refill off the critical path: the next handshake finds its ephemeral ready.
    setImmediate(() => {
      if (!this.#closed) this.#spare ??= this.#generate();
    });
    return pair;
  }

  async dh(secretKey: Uint8Array, publicKey: Uint8Array): Promise<Uint8Array> {
    const privateKey = this.#ephemerals.get(secretKey) ?? (this.#isStatic(secretKey) ? this.#staticKey : importSecret('X25519', secretKey));
    let shared: Buffer;
    try {
      shared = diffieHellman({ privateKey, publicKey: publicKeys.get('X25519', publicKey) });
    } catch {
      throw new MemCloudError(ErrorCodes.HANDSHAKE_FAILED, 'X25519 with a low-order or invalid public key');
    }
    // The handshake zeroes what we return; node's own buffer is ours to zero.
    const out = Uint8Array.from(shared);
    shared.fill(0);
    return out;
  }

  async sign(message: Uint8Array): Promise<Uint8Array> {
    return new Uint8Array(sign(null, message, this.#identityKey));
  }

  async verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): Promise<boolean> {
    return nativeAsym.ed25519Verify(publicKey, message, signature);
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#spare?.secretKey.fill(0);
    this.#spare = null;
    this.#staticSecret.fill(0);
  }

  #isStatic(secretKey: Uint8Array): boolean {
    return secretKey.length === this.#staticSecret.length && timingSafeEqual(secretKey, this.#staticSecret);
  }

  #generate(): KeyPair {
    const { privateKey } = generateKeyPairSync('x25519');
    const { d, x } = privateKey.export({ format: 'jwk' });
    // Decoded straight into its own memory: Buffer.from(string) would leave a copy of the secret
    // in Node's shared pool slab, where nothing zeroes it.
    const secretKey = new Uint8Array(32);
    Buffer.from(secretKey.buffer, secretKey.byteOffset, secretKey.byteLength).write(d!, 'base64url');
    const pair = { secretKey, publicKey: new Uint8Array(Buffer.from(x!, 'base64url')) };
    this.#ephemerals.set(pair.secretKey, privateKey);
    return pair;
  }
}
