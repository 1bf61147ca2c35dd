// X25519 and Ed25519 through node:crypto KeyObjects: ~20x faster than noble.
// Raw keys are imported as JWK (~10x cheaper than PKCS#8 DER). Peer public keys are cached;
// secret keys are imported per operation and never kept.
import { createPrivateKey, diffieHellman, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { lowOrderPoint, type AsymBackend } from './asym-backend';
import { PublicKeyCache, type OkpCurve } from './public-key-cache';

export const publicKeys = new PublicKeyCache(64);

/** PKCS#8 wrappers for a raw 32-byte OKP secret: the slow but plainly documented import path. */
const PKCS8_PREFIX: Record<OkpCurve, string> = {
  X25519: '302e020100300506032b656e04220420',
  Ed25519: '302e020100300506032b657004220420',
};
/** JWK import requires an `x` string but derives the public key from `d`; any placeholder does. */
const PLACEHOLDER_X = Buffer.alloc(32).toString('base64url');

const asBuffer = (u: Uint8Array): Buffer => Buffer.from(u.buffer, u.byteOffset, u.byteLength);

export function importSecret(crv: OkpCurve, secret: Uint8Array): KeyObject {
  // The base64url string of the secret cannot be zeroed; it lives until the next GC.
  const d = asBuffer(secret).toString('base64url');
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
  }
}

export const nativeAsym: AsymBackend = {
  x25519Keypair(secretOut, publicOut) {
    const { d, x } = generateKeyPairSync('x25519').privateKey.export({ format: 'jwk' });
    // Decode straight into the outputs: no intermediate Buffer holds the secret.
    asBuffer(secretOut).write(d!, 'base64url');
    asBuffer(publicOut).write(x!, 'base64url');
  },

  x25519Dh(secretKey, publicKey, out) {
    const privateKey = importSecret('X25519', secretKey);
    let shared: Buffer;
    try {
      shared = diffieHellman({ privateKey, publicKey: publicKeys.get('X25519', publicKey) });
    } catch {
      throw lowOrderPoint(); // OpenSSL refuses an all-zero shared secret
    }
    out.set(shared);
    shared.fill(0);
  },

  ed25519Sign(seed, message, out) {
    out.set(sign(null, message, importSecret('Ed25519', seed)));
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
let asymAvailable: boolean | undefined;

/**
 * Whether node:crypto here does X25519 and Ed25519 correctly through the JWK import above.
 * Checked once against known answers (RFC 7748 §6.1, RFC 8032 §7.1 test 1), so a runtime
 * without these curves, or one whose JWK import differs, falls back to noble instead of failing.
 */
export function nativeAsymAvailable(): boolean {
  if (asymAvailable !== undefined) return asymAvailable;
  try {
    const shared = new Uint8Array(32);
    nativeAsym.x25519Dh(
      hex('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a'),
      hex('de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f'),
      shared,
    );
    const signature = new Uint8Array(64);
    nativeAsym.ed25519Sign(hex('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60'), new Uint8Array(0), signature);
    asymAvailable =
      Buffer.from(shared).toString('hex') === '4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742' &&
      Buffer.from(signature).toString('hex') ===
        'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b';
  } catch {
    asymAvailable = false;
  }
  return asymAvailable;
}
