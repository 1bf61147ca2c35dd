// Crypto off the event loop: a piscina pool and a same-thread twin with identical signatures.
export { CryptoPool, POOL_MIN_BATCH_BYTES, type CryptoPoolOptions } from './crypto-pool';
export { InlineCrypto } from './inline-crypto';
export { nativeAsymAvailable } from './native-asym';
export {
  MAX_ASYM_OPS,
  MAX_BATCH_BYTES,
  MAX_BATCH_RECORDS,
  type AsymOp,
  type AsymResult,
  type CryptoBackendName,
  type CryptoOps,
  type OpenBatchResult,
} from './crypto-messages';
