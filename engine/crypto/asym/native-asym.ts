// X25519 and Ed25519 through node:crypto KeyObjects: ~20x faster than noble. Raw keys are imported
// as JWK (~10x cheaper than PKCS#8 DER); peer public keys are cached; a secret's KeyObject lives in
// its handle (OpenSSL's copy cannot be wiped from JavaScript; it goes with the handle's GC).

import { createPrivateKey, createPublicKey, diffieHellman, randomFillSync, sign, verify, type KeyObject } from 'node:crypto';
import { backendAbsent } from '../absent';
import { KEY_LENGTH } from '../constants';
import { lowOrderPoint, type AsymBackend, type X25519Key } from './asym';
import { PublicKeyCache, type OkpCurve } from './public-key-cache';

export const publicKeys = new PublicKeyCache(64);

/** PKCS#8 wrappers for a raw 32-byte OKP secret: the slow but plainly documented import path. */
const PKCS8_PREFIX: Record<OkpCurve, string> = {
  X25519: '302e020100300506032b656e04220420',
  Ed25519: '302e020100300506032b657004220420',
};
/** JWK import requires an `x` string but derives the public key from `d`; any placeholder does. */
const PLACEHOLDER_X = Buffer.alloc(KEY_LENGTH).toString('base64url');

const asBuffer = (u: Uint8Array): Buffer => Buffer.from(u.buffer, u.byteOffset, u.byteLength);

function importSecret(crv: OkpCurve, secret: Uint8Array): KeyObject {
  // The base64url string of the secret cannot be zeroed; it lives until the next GC.
  const d = asBuffer(secret).toString('base64url');
  // Node decodes d with Buffer.from(d, 'base64'): a small Buffer is carved from the shared pool
  // slab, where the copy would stay for the slab's life. With the pool off it gets its own memory.
  const poolSize = Buffer.poolSize;
  Buffer.poolSize = 0;
  try {
    return createPrivateKey({ key: { kty: 'OKP', crv, d, x: PLACEHOLDER_X }, format: 'jwk' });
  } catch {
    // Should a future Node insist that x match d, fall back to DER rather than fail.
    const der = Buffer.concat([Buffer.from(PKCS8_PREFIX[crv], 'hex'), asBuffer(secret)]);
    try {
      return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
    } finally {
      der.fill(0);
    }
  } finally {
    Buffer.poolSize = poolSize;
  }
}

/** `owned`: the raw secret of a key we generated, wiped by destroy() as the interface promises. */
function x25519Handle(privateKey: KeyObject, owned?: Uint8Array): X25519Key {
  let key: KeyObject | null = privateKey;
  return {
    dh(publicKey, out) {
      if (key === null) throw new Error('x25519 key destroyed');
      let shared: Buffer;
      try {
        shared = diffieHellman({ privateKey: key, publicKey: publicKeys.get('X25519', publicKey) });
      } catch {
        throw lowOrderPoint(); // OpenSSL refuses an all-zero shared secret
      }
      out.set(shared);
      shared.fill(0);
    },
    destroy() {
      key = null;
      owned?.fill(0);
    },
  };
}

export const nativeAsym: AsymBackend = {
  name: 'native',

  generateX25519() {
    // Not generateKeyPairSync: on Node 20, exporting a key it generated can deadlock the thread
    // forever. The export holds the key's mutex while it allocates strings; a GC there runs the
    // destructor of the (already unreferenced) key generation job, which takes the same mutex.
    // Seen once in ~25,000 handshakes; `--gc-interval` makes it reproducible (test:
    // test/engine/crypto/asym/native-keygen.test.ts). Any 32 random bytes are an X25519 secret
    // (the scalar is clamped when used); OpenSSL derives the public key on import, and only the
    // public half is exported. The import's base64url string of the secret is the one copy we
    // cannot zero, as for every secret importSecret takes. Costs the same (~60 µs).
    const secretKey = new Uint8Array(KEY_LENGTH);
    randomFillSync(secretKey);
    const privateKey = importSecret('X25519', secretKey);
    const { x } = createPublicKey(privateKey).export({ format: 'jwk' });
    const publicKey = new Uint8Array(KEY_LENGTH);
    asBuffer(publicKey).write(x!, 'base64url');
    return { secretKey, publicKey, key: x25519Handle(privateKey, secretKey) };
  },

  importX25519(secretKey) {
    return x25519Handle(importSecret('X25519', secretKey));
  },

  importEd25519(seed) {
    let key: KeyObject | null = importSecret('Ed25519', seed);
    return {
      sign(message, out) {
        if (key === null) throw new Error('ed25519 key destroyed');
        out.set(sign(null, message, key));
      },
      destroy() {
        key = null;
      },
    };
  },

  ed25519Verify(publicKey, message, signature) {
    try {
      return verify(null, message, publicKeys.get('Ed25519', publicKey), signature);
    } catch {
      return false;
    }
  },
};

const hex = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, 'hex'));
let asymWorks: boolean | undefined;

/**
 * Whether node:crypto here does X25519 and Ed25519 correctly through the JWK import above.
 * Checked once against known answers (RFC 7748 section 6.1, RFC 8032 section 7.1 test 1), so a
 * runtime without these curves, or one whose JWK import differs, is not offered native crypto.
 */
export function nativeAsymAvailable(): boolean {
  if (backendAbsent('native')) return false;
  if (asymWorks !== undefined) return asymWorks;
  try {
    const shared = new Uint8Array(32);
    nativeAsym.importX25519(hex('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a')).dh(
      hex('de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f'),
      shared,
    );
    const signature = new Uint8Array(64);
    nativeAsym.importEd25519(hex('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60')).sign(new Uint8Array(0), signature);
    asymWorks =
      Buffer.from(shared).toString('hex') === '4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742' &&
      Buffer.from(signature).toString('hex') ===
        'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b';
  } catch {
    asymWorks = false;
  }
  return asymWorks;
}
