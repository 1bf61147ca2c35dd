// The sizes every crypto family shares, in one place: Noise ChaChaPoly with 25519 and Ed25519
// identity signatures (docs/protocol.md sections 3 and 5). Imported by noise, aead, asym, pool and net.

/** ChaCha20-Poly1305 key, X25519 secret/public key, Ed25519 seed and public key. */
export const KEY_LENGTH = 32;
/** Noise ChaChaPoly nonce: 4 zero bytes, then the 64-bit counter little-endian. */
export const NONCE_LENGTH = 12;
/** Poly1305 tag. */
export const TAG_LENGTH = 16;
/** X25519 output (Noise DHLEN). */
export const DH_LENGTH = 32;
export const SIGNATURE_LENGTH = 64;
/** SHA-256 output (Noise HASHLEN for the protocol's hash). */
export const HASH_LENGTH = 32;
/** The Noise limit on any handshake or transport message, tag included (spec section 3). */
export const MAX_NOISE_MESSAGE = 65535;
/** The most plaintext one sealed message can carry. */
export const MAX_SEALED_PLAINTEXT = MAX_NOISE_MESSAGE - TAG_LENGTH;
/** Associated data is Noise's handshake hash h (at most 64 bytes) or a short caller label. */
export const MAX_ASSOCIATED_DATA = 256;
/** Messages signed or verified with Ed25519 (handshake transcripts and the like). */
export const MAX_SIGNED_MESSAGE = MAX_NOISE_MESSAGE;
