// Small owner-sealed blocks with another backend's AEAD (crypto/place.ts `smallBlocks`): on a native
// node, libsodium seals a 1 KiB block in ~4 us where node:crypto takes ~8 (one WebAssembly call
// against five calls into OpenSSL, whose cipher work is well under 1 us); from ~2 KiB on, native's
// faster cipher wins. ChaCha20-Poly1305 is one function, so the bytes are the same whichever seals
// them. The other backend is loaded on the first small block (a node that only lends never loads
// it); until it is ready, or if it cannot load, the node's own AEAD is used.

import type { Aead } from './aead';
import { backendAvailable, loadBackend } from './backends';
import type { CryptoBackendName } from './backend-name';

export class SmallBlockAead {
  #aead: Aead | null = null;
  #loading = false;

  /** `load` is for tests (a load that fails or waits). */
  constructor(
    readonly backend: CryptoBackendName,
    readonly maxBytes: number,
    private readonly load: (name: CryptoBackendName) => Promise<{ readonly aead: Aead }> = loadBackend,
  ) {}

  /** Whether this runtime can run `backend` at all (portable: whether WebAssembly starts). */
  static available(backend: CryptoBackendName): boolean {
    return backendAvailable(backend);
  }

  /** The AEAD for a block of `size` plaintext bytes, when it is small and the backend is ready; else null. */
  for(size: number): Aead | null {
    if (size > this.maxBytes) return null;
    if (this.#aead === null && !this.#loading) {
      this.#loading = true;
      this.load(this.backend).then(
        (b) => (this.#aead = b.aead),
        () => undefined, // stays on the node's own AEAD: the same bytes, a few microseconds more
      );
    }
    return this.#aead;
  }
}
