// HandshakeCrypto on the engine thread over one backend's AsymBackend. Our long-lived keys
// (identity, Noise static) are imported once; each ephemeral we generate keeps its handle, found
// again by buffer identity when the Noise core hands the same secret back for DH.

import { timingSafeEqual } from 'node:crypto';
import type { AsymBackend, Ed25519Signer, X25519Key } from '../asym/asym';
import type { CryptoBackend, NoiseSuite } from '../backends';
import { DH_LENGTH, SIGNATURE_LENGTH } from '../constants';
import type { KeyPair } from '../noise/dh';
import type { DeviceIdentity } from '../../identity/device-identity';
import type { HandshakeCrypto } from './handshake-crypto';

export class InlineHandshakeCrypto implements HandshakeCrypto {
  readonly suite: NoiseSuite;
  readonly #asym: AsymBackend;
  /** Null when the identity key is on a token: signatures then go through its signer. */
  readonly #signer: Ed25519Signer | null;
  readonly #identity: DeviceIdentity;
  readonly #staticSecret: Uint8Array;
  readonly #staticKey: X25519Key;
  /** Ephemerals we generated, by secret buffer (the Noise core hands the same buffer back). */
  readonly #ephemerals = new WeakMap<Uint8Array, X25519Key>();
  #spare: KeyPair | null = null;
  #closed = false;

  constructor(backend: CryptoBackend, identity: DeviceIdentity, staticKeyPair: KeyPair) {
    const asym = backend.asym;
    this.suite = backend.noise;
    this.#asym = asym;
    this.#identity = identity;
    const seed = identity.externalSigner ? null : identity.exportSecretKeyForSigning();
    try {
      this.#signer = seed && asym.importEd25519(seed);
    } finally {
      seed?.fill(0);
    }
    this.#staticSecret = Uint8Array.from(staticKeyPair.secretKey);
    this.#staticKey = asym.importX25519(this.#staticSecret);
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
    const out = new Uint8Array(DH_LENGTH);
    const known = this.#ephemerals.get(secretKey) ?? (this.#isStatic(secretKey) ? this.#staticKey : null);
    if (known !== null) {
      known.dh(publicKey, out);
      return out;
    }
    const once = this.#asym.importX25519(secretKey);
    try {
      once.dh(publicKey, out);
    } finally {
      once.destroy();
    }
    return out;
  }

  async sign(message: Uint8Array): Promise<Uint8Array> {
    if (!this.#signer) return this.#identity.signAsync(message);
    const out = new Uint8Array(SIGNATURE_LENGTH);
    this.#signer.sign(message, out);
    return out;
  }

  async verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): Promise<boolean> {
    return this.#asym.ed25519Verify(publicKey, message, signature);
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#spare?.secretKey.fill(0);
    this.#spare = null;
    this.#staticSecret.fill(0);
    this.#staticKey.destroy();
    this.#signer?.destroy();
  }

  #isStatic(secretKey: Uint8Array): boolean {
    return secretKey.length === this.#staticSecret.length && timingSafeEqual(secretKey, this.#staticSecret);
  }

  #generate(): KeyPair {
    const { secretKey, publicKey, key } = this.#asym.generateX25519();
    this.#ephemerals.set(secretKey, key);
    return { secretKey, publicKey };
  }
}
