// SHA256 for the Noise core on node:crypto. SHA-256 is native everywhere MemCloud runs, Electron
// included (unlike ChaCha20-Poly1305), and a handshake computes it dozens of times (MixHash, and
// HMAC inside every HKDF), so the engine uses this one; the noble SHA256 stays the reference.
//
// Every node:crypto call costs a few microseconds whatever it hashes, so the Noise HKDF (spec
// section 4.3) is built from three HMAC calls rather than the six to eight hashes of the generic
// construction (hkdf.ts); measured cheaper than hkdfSync too, whose JavaScript wrapper imports the
// input as a KeyObject (docs/performance.md, "Handshake CPU"). OpenSSL wipes its HMAC contexts.

import { createHash, createHmac } from 'node:crypto';
import type { NoiseHash } from './hash';

const OUTPUT_BYTE = [Uint8Array.of(0x01), Uint8Array.of(0x02), Uint8Array.of(0x03)] as const;

const view = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);

export const NATIVE_SHA256: NoiseHash = Object.freeze({
  name: 'SHA256' as const,
  hashLen: 32 as const,
  blockLen: 64 as const,
  hash(...parts: Uint8Array[]): Uint8Array {
    const h = createHash('sha256');
    for (const p of parts) h.update(p);
    return view(h.digest());
  },
  hkdf(chainingKey: Uint8Array, ikm: Uint8Array, numOutputs: 2 | 3): Uint8Array[] {
    const tempKey = createHmac('sha256', chainingKey).update(ikm).digest();
    const outputs: Uint8Array[] = [];
    let previous: Uint8Array | null = null;
    for (let i = 0; i < numOutputs; i++) {
      const mac = createHmac('sha256', tempKey);
      if (previous !== null) mac.update(previous);
      previous = view(mac.update(OUTPUT_BYTE[i]!).digest());
      outputs.push(previous);
    }
    tempKey.fill(0);
    return outputs;
  },
});
