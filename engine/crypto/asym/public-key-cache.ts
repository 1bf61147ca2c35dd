// A small LRU of imported peer PUBLIC keys: importing a raw key costs more than the DH itself.
// Secret keys never go in here.
import { createPublicKey, type KeyObject } from 'node:crypto';

export type OkpCurve = 'X25519' | 'Ed25519';

export class PublicKeyCache {
  readonly #max: number;
  readonly #entries = new Map<string, KeyObject>(); // Map iteration order = least recently used first

  constructor(max: number) {
    this.#max = max;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The KeyObject for a raw 32-byte public key, imported through JWK (much cheaper than DER). */
  get(crv: OkpCurve, raw: Uint8Array): KeyObject {
    const x = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('base64url');
    const id = `${crv}:${x}`;
    let key = this.#entries.get(id);
    if (key !== undefined) {
      this.#entries.delete(id);
    } else {
      key = createPublicKey({ key: { kty: 'OKP', crv, x }, format: 'jwk' });
      if (this.#entries.size >= this.#max) this.#entries.delete(this.#entries.keys().next().value!);
    }
    this.#entries.set(id, key);
    return key;
  }
}
