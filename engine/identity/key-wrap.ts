// Wrapping the 32-byte identity seed under a 32-byte key (from an OS secret store, or derived from
// a passphrase): ChaCha20-Poly1305 (RFC 8439) with a random 96-bit nonce, and associated data that
// binds the wrapped seed to its form and public key (docs/identity.md, "Wrapped key").
// @noble/ciphers, not node:crypto: VS Code's Electron lacks chacha20-poly1305 in node:crypto, and
// the same code must unwrap in both.

import { randomBytes } from 'node:crypto';
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';

export const WRAP_KEY_BYTES = 32;
export const WRAP_NONCE_BYTES = 12;
/** 32-byte seed plus the 16-byte Poly1305 tag. */
export const WRAPPED_SEED_BYTES = 48;

export interface WrappedSeed {
  readonly nonce: Uint8Array;
  readonly ciphertext: Uint8Array;
}

/** What the tag authenticates besides the seed: `memcloud identity_key v2 <form> <publicKey text>`. */
export function wrapAad(form: string, publicKeyText: string): Uint8Array {
  return new TextEncoder().encode(`memcloud identity_key v2 ${form} ${publicKeyText}`);
}

export function wrapSeed(key: Uint8Array, seed: Uint8Array, aad: Uint8Array): WrappedSeed {
  const nonce = new Uint8Array(randomBytes(WRAP_NONCE_BYTES));
  return { nonce, ciphertext: chacha20poly1305(key, nonce, aad).encrypt(seed) };
}

/** The seed (the caller zeroes it), or undefined when the key is wrong or anything was altered. */
export function unwrapSeed(key: Uint8Array, wrapped: WrappedSeed, aad: Uint8Array): Uint8Array | undefined {
  try {
    return chacha20poly1305(key, wrapped.nonce, aad).decrypt(wrapped.ciphertext);
  } catch {
    return undefined;
  }
}
