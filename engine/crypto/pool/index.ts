// Crypto off the event loop: a piscina pool and a same-thread twin with identical signatures.
export { CryptoPool, type CryptoPoolOptions } from './crypto-pool';
export { InlineCrypto } from './inline-crypto';
export {
  MAX_ASYM_OPS,
  MAX_BATCH_BYTES,
  MAX_BATCH_RECORDS,
  type AsymOp,
  type AsymResult,
  type CryptoOps,
  type OpenBatchResult,
} from './crypto-messages';
