// Noise spec §5.2 SymmetricState: the chaining key ck, the handshake hash h, and a CipherState
// whose AD is h. Everything secret it holds is zeroed when replaced, on split, and on destroy.

import { copyBytes, zero } from './bytes';
import { KEY_LENGTH } from '../constants';
import type { NoiseCipher } from './cipher';
import { CipherState } from './cipher-state';
import type { NoiseHash } from './hash';
import { hkdf } from './hkdf';

/** The h of InitializeSymmetric depends only on the protocol name: computed once per name and hash. */
const initialHashes = new WeakMap<NoiseHash, Map<string, Uint8Array>>();

function initialHash(protocolName: string, hash: NoiseHash): Uint8Array {
  let byName = initialHashes.get(hash);
  if (byName === undefined) initialHashes.set(hash, (byName = new Map()));
  let h = byName.get(protocolName);
  if (h === undefined) {
    const name = new TextEncoder().encode(protocolName);
    if (name.length <= hash.hashLen) {
      h = new Uint8Array(hash.hashLen);
      h.set(name);
    } else {
      h = hash.hash(name);
    }
    byName.set(protocolName, h);
  }
  return h;
}

export class SymmetricState {
  readonly #hash: NoiseHash;
  readonly #cipher: NoiseCipher;
  readonly #cs: CipherState;
  #ck: Uint8Array;
  #h: Uint8Array;

  /** InitializeSymmetric(protocol_name). */
  constructor(protocolName: string, hash: NoiseHash, cipher: NoiseCipher) {
    this.#hash = hash;
    this.#cipher = cipher;
    this.#h = copyBytes(initialHash(protocolName, hash));
    this.#ck = copyBytes(this.#h);
    this.#cs = new CipherState(cipher);
  }

  /** A copy of h. */
  get handshakeHash(): Uint8Array {
    return copyBytes(this.#h);
  }

  /**
   * The live ck buffer, not a copy: exposed only so tests can assert it is zeroed after split.
   * Never log or retain it.
   */
  get chainingKey(): Uint8Array {
    return this.#ck;
  }

  hasKey(): boolean {
    return this.#cs.hasKey();
  }

  mixKey(ikm: Uint8Array): void {
    const [ck, tempK] = hkdf(this.#hash, this.#ck, ikm, 2) as [Uint8Array, Uint8Array];
    zero(this.#ck);
    this.#ck = ck;
    // HASHLEN 64: only the first 32 bytes become the cipher key (initializeKey copies them).
    this.#cs.initializeKey(tempK.subarray(0, KEY_LENGTH));
    zero(tempK);
  }

  /** Spec §5.2 MixKeyAndHash: for psk tokens. */
  mixKeyAndHash(ikm: Uint8Array): void {
    const [ck, tempH, tempK] = hkdf(this.#hash, this.#ck, ikm, 3) as [Uint8Array, Uint8Array, Uint8Array];
    zero(this.#ck);
    this.#ck = ck;
    this.mixHash(tempH);
    this.#cs.initializeKey(tempK.subarray(0, KEY_LENGTH));
    zero(tempH);
    zero(tempK);
  }

  /**
   * A secret bound to this whole handshake, for use after it (e.g. session resumption): the first
   * HKDF(ck, label) output. Distinct from Split(), whose HKDF input is empty. Call before split().
   */
  deriveSecret(label: Uint8Array): Uint8Array {
    const [out, other] = hkdf(this.#hash, this.#ck, label, 2) as [Uint8Array, Uint8Array];
    zero(other);
    return out;
  }

  mixHash(data: Uint8Array): void {
    this.#h = this.#hash.hash(this.#h, data);
  }

  encryptAndHash(plaintext: Uint8Array): Uint8Array {
    const ciphertext = this.#cs.encryptWithAd(this.#h, plaintext);
    this.mixHash(ciphertext);
    return ciphertext;
  }

  /** Throws DECRYPT_FAILED without changing h. */
  decryptAndHash(ciphertext: Uint8Array): Uint8Array {
    const plaintext = this.#cs.decryptWithAd(this.#h, ciphertext);
    this.mixHash(ciphertext);
    return plaintext;
  }

  /** Split(): the two transport CipherStates (initiator-to-responder first); zeroes ck and k. */
  split(): [CipherState, CipherState] {
    const [k1, k2] = hkdf(this.#hash, this.#ck, new Uint8Array(0), 2) as [Uint8Array, Uint8Array];
    const c1 = new CipherState(this.#cipher, k1.subarray(0, KEY_LENGTH));
    const c2 = new CipherState(this.#cipher, k2.subarray(0, KEY_LENGTH));
    zero(k1);
    zero(k2);
    this.destroySecrets();
    return [c1, c2];
  }

  /** Zero ck and the handshake cipher key; h (public transcript hash) is kept. Idempotent. */
  destroySecrets(): void {
    zero(this.#ck);
    this.#cs.destroy();
  }
}
