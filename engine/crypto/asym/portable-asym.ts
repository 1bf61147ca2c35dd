// X25519 and Ed25519 from libsodium in WebAssembly. Secrets are copied into libsodium's heap only
// for the duration of one call and wiped there before it returns.

import { randomFillSync } from 'node:crypto';
import { ErrorCodes, MemCloudError } from '../../errors';
import { KEY_LENGTH, MAX_SIGNED_MESSAGE, SIGNATURE_LENGTH } from '../constants';
import { sodium } from '../portable/sodium';
import { lowOrderPoint, type AsymBackend, type X25519Key } from './asym';

/** A handle over `secret` itself (no copy): destroy() zeroes it. */
function x25519Handle(secret: Uint8Array): X25519Key {
  return {
    dh(publicKey, out) {
      const { lib, slots } = sodium();
      const heap = lib.HEAPU8;
      heap.set(secret, slots.key);
      heap.set(publicKey, slots.point);
      // libsodium returns -1 for an all-zero result (a low-order point).
      const rc = lib._crypto_scalarmult(slots.out, slots.key, slots.point);
      heap.fill(0, slots.key, slots.key + KEY_LENGTH);
      if (rc === 0) out.set(heap.subarray(slots.out, slots.out + KEY_LENGTH));
      heap.fill(0, slots.out, slots.out + KEY_LENGTH);
      if (rc !== 0) throw lowOrderPoint();
    },
    destroy() {
      secret.fill(0);
    },
  };
}

function tooLong(message: Uint8Array): MemCloudError {
  return new MemCloudError(ErrorCodes.BAD_ARGUMENT, `a signed message is at most ${MAX_SIGNED_MESSAGE} bytes, got ${message.length}`);
}

export const portableAsym: AsymBackend = {
  name: 'portable',

  generateX25519() {
    const secretKey = randomFillSync(new Uint8Array(KEY_LENGTH));
    const publicKey = new Uint8Array(KEY_LENGTH);
    const { lib, slots } = sodium();
    const heap = lib.HEAPU8;
    heap.set(secretKey, slots.key);
    lib._crypto_scalarmult_base(slots.point, slots.key);
    heap.fill(0, slots.key, slots.key + KEY_LENGTH);
    publicKey.set(heap.subarray(slots.point, slots.point + KEY_LENGTH));
    return { secretKey, publicKey, key: x25519Handle(secretKey) };
  },

  importX25519(secretKey) {
    return x25519Handle(Uint8Array.from(secretKey));
  },

  importEd25519(seed) {
    const { lib, slots } = sodium();
    let heap = lib.HEAPU8;
    heap.set(seed, slots.key);
    lib._crypto_sign_seed_keypair(slots.point, slots.secret, slots.key);
    // libsodium's 64-byte secret key (seed || public key) saves deriving the public key per signature.
    const secretKey = heap.slice(slots.secret, slots.secret + SIGNATURE_LENGTH);
    heap.fill(0, slots.key, slots.key + KEY_LENGTH);
    heap.fill(0, slots.secret, slots.secret + SIGNATURE_LENGTH);
    return {
      sign(message, out) {
        if (message.length > MAX_SIGNED_MESSAGE) throw tooLong(message);
        heap = lib.HEAPU8;
        heap.set(secretKey, slots.secret);
        heap.set(message, slots.data);
        lib._crypto_sign_detached(slots.out, 0, slots.data, message.length, 0, slots.secret);
        heap.fill(0, slots.secret, slots.secret + SIGNATURE_LENGTH);
        out.set(heap.subarray(slots.out, slots.out + SIGNATURE_LENGTH));
      },
      destroy() {
        secretKey.fill(0);
      },
    };
  },

  ed25519Verify(publicKey, message, signature) {
    if (publicKey.length !== KEY_LENGTH || signature.length !== SIGNATURE_LENGTH || message.length > MAX_SIGNED_MESSAGE) return false;
    const { lib, slots } = sodium();
    const heap = lib.HEAPU8;
    heap.set(publicKey, slots.point);
    heap.set(signature, slots.out);
    heap.set(message, slots.data);
    const valid = lib._crypto_sign_verify_detached(slots.out, slots.data, message.length, 0, slots.point) === 0;
    heap.fill(0, slots.out, slots.out + SIGNATURE_LENGTH); // keeps the invariant: the out slot is zero between calls
    return valid;
  },
};
