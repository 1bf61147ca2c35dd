// The Noise Protocol Framework core (rev. 34), one file per spec section:
// dh/cipher/hash (section 4) -> cipher-state (5.1) -> symmetric-state (5.2) -> handshake-state (5.3),
// with the patterns (section 7) as data. DH and cipher are adapters over the crypto seams.

export { CipherState } from './cipher-state';
export { noiseCipher, type NoiseCipher } from './cipher';
export { noiseDh, type KeyPair, type NoiseDH } from './dh';
export { BLAKE2b, BLAKE2s, SHA256, SHA512, noiseHashes, type NoiseHash, type NoiseHashName } from './hash';
export { hkdf, hmac } from './hkdf';
export {
  HandshakeState,
  NOISE_MAX_MESSAGE_LENGTH,
  type HandshakeOptions,
  type HandshakeRequest,
  type ReadResult,
  type SplitResult,
} from './handshake-state';
export { HANDSHAKE_PATTERNS, type HandshakePattern, type PatternName, type Token } from './patterns';
export { SymmetricState } from './symmetric-state';
