// SHA256 for the Noise core on node:crypto. SHA-256 is native everywhere MemCloud runs, Electron
// included (unlike ChaCha20-Poly1305), and a handshake computes it dozens of times (MixHash, and
// HMAC inside every HKDF), so the engine uses this one; the noble SHA256 stays the reference.

import { createHash } from 'node:crypto';
import type { NoiseHash } from './hash';

export const NATIVE_SHA256: NoiseHash = Object.freeze({
  name: 'SHA256' as const,
  hashLen: 32 as const,
  blockLen: 64 as const,
  hash(...parts: Uint8Array[]): Uint8Array {
    const h = createHash('sha256');
    for (const p of parts) h.update(p);
    const d = h.digest();
    return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
  },
});
