// Transport AEAD backends: @noble/ciphers everywhere, node:crypto where it has chacha20-poly1305.
export { createAead, rekeyKey } from './create-aead';
export { nativeAeadAvailable } from './native-aead';
export {
  AEAD_KEY_LENGTH,
  AEAD_TAG_LENGTH,
  MAX_PLAINTEXT_LENGTH,
  MAX_RECORD_LENGTH,
  type AeadBackend,
  type AeadBackendName,
  type TransportAead,
} from './transport-aead';
