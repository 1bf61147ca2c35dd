// The Noise Protocol Framework core (rev. 34), one file per spec section:
// dh/cipher/hash (§4) -> cipher-state (§5.1) -> symmetric-state (§5.2) -> handshake-state (§5.3),
// with the patterns (§7) as data.

export { CipherState } from './cipher-state';
export { KEY_LEN, TAG_LEN, chachaPolyNonce, nobleChaChaPoly, type NoiseCipher } from './cipher';
export { x25519, x25519KeyPair, type KeyPair, type NoiseDH } from './dh';
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
