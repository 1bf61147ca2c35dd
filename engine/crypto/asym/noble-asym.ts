// X25519 and Ed25519 from @noble/curves: slow (~1 ms per DH) but available everywhere.

import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { lowOrderPoint, type AsymBackend, type X25519Key } from './asym';

let tablesReady = false;
/**
 * Wider precomputed tables for the Ed25519 base point, once per thread (~0.7 MB): signing and
 * verifying take about a third less time (docs/performance.md).
 */
function baseTables(): void {
  if (tablesReady) return;
  ed25519.Point.BASE.precompute(8);
  tablesReady = true;
}

/** A handle over `secret` itself (no copy): zeroing it, or destroy(), retires the key. */
function x25519Handle(secret: Uint8Array): X25519Key {
  return {
    dh(publicKey, out) {
      let shared: Uint8Array;
      try {
        shared = x25519.getSharedSecret(secret, publicKey);
      } catch {
        throw lowOrderPoint(); // lengths are validated upstream: the only failure left is a zero output
      }
      out.set(shared);
      shared.fill(0);
    },
    destroy() {
      secret.fill(0);
    },
  };
}

export const nobleAsym: AsymBackend = {
  name: 'noble',

  generateX25519() {
    const { secretKey, publicKey } = x25519.keygen();
    return { secretKey, publicKey, key: x25519Handle(secretKey) };
  },

  importX25519(secretKey) {
    return x25519Handle(Uint8Array.from(secretKey));
  },

  importEd25519(seed) {
    const copy = Uint8Array.from(seed);
    return {
      sign(message, out) {
        baseTables();
        out.set(ed25519.sign(message, copy));
      },
      destroy() {
        copy.fill(0);
      },
    };
  },

  ed25519Verify(publicKey, message, signature) {
    baseTables();
    try {
      // Strict RFC 8032 rules rather than ZIP-215, to agree with OpenSSL and libsodium on edge cases.
      return ed25519.verify(signature, message, publicKey, { zip215: false });
    } catch {
      return false;
    }
  },
};
