// The AEAD seam (docs/architecture.md, crypto): one Aead per backend, each over its ChaChaPolyCore.
import { backend } from '../backends';
import type { CryptoBackendName } from '../backend-name';
import type { Aead } from './aead';

export { Aead, type ChaChaPolyCore } from './aead';
export { nativeChaChaPolyAvailable as nativeAeadAvailable } from './native-chachapoly';
export { KEY_LENGTH as AEAD_KEY_LENGTH, TAG_LENGTH as AEAD_TAG_LENGTH, MAX_SEALED_PLAINTEXT as MAX_PLAINTEXT_LENGTH } from '../constants';
export type AeadBackend = Aead;
export type AeadBackendName = CryptoBackendName;

/** The backend's Aead; portable must have been loaded in this thread (backends.ts loadBackend). */
export function createAead(name: CryptoBackendName): Aead {
  return backend(name).aead;
}
