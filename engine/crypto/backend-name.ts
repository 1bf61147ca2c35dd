// The three crypto backends, each implementing every crypto family (AEAD, X25519, Ed25519):
// native = node:crypto (OpenSSL), portable = libsodium compiled to WebAssembly (libsodium-wrappers),
// noble = the pure-JavaScript @noble libraries.

export const CRYPTO_BACKENDS = ['native', 'portable', 'noble'] as const;
export type CryptoBackendName = (typeof CRYPTO_BACKENDS)[number];
/** What a user may ask for: a backend, or auto = the fastest one this runtime can start. */
export type CryptoChoice = CryptoBackendName | 'auto';
export const CRYPTO_CHOICES: readonly CryptoChoice[] = ['auto', ...CRYPTO_BACKENDS];

export function isCryptoChoice(v: unknown): v is CryptoChoice {
  return typeof v === 'string' && (CRYPTO_CHOICES as readonly string[]).includes(v);
}
