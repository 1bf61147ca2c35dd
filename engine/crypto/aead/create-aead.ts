// Picks a transport AEAD backend, and Noise's REKEY on top of whichever one is in use.
import { ErrorCodes, MemCloudError } from '../../errors';
import { NativeAead, nativeAeadAvailable } from './native-aead';
import { NobleAead } from './noble-aead';
import { AEAD_KEY_LENGTH, AEAD_NONCE_LENGTH, AEAD_TAG_LENGTH, type AeadBackend, type AeadBackendName, type TransportAead } from './transport-aead';

// Backends keep only a scratch nonce and JS runs one call at a time, so one of each is enough.
let noble: NobleAead | undefined;
let native: NativeAead | undefined;

/** 'auto' = native where node:crypto has chacha20-poly1305, else noble. Native where absent throws. */
export function createAead(name: AeadBackendName | 'auto'): AeadBackend {
  switch (name) {
    case 'auto':
      return createAead(nativeAeadAvailable() ? 'native' : 'noble');
    case 'noble':
      noble ??= new NobleAead();
      return noble;
    case 'native':
      native ??= new NativeAead();
      return native;
    default:
      throw new MemCloudError(ErrorCodes.BAD_ARGUMENT, `unknown AEAD backend: ${String(name satisfies never)}`);
  }
}

/** The reserved nonce 2^64-1: 4 zero bytes then 8 x 0xff. */
const REKEY_NONCE = new Uint8Array(AEAD_NONCE_LENGTH).fill(0xff, 4);
const ZEROS = new Uint8Array(AEAD_KEY_LENGTH);

/**
 * Noise REKEY(k): the first 32 bytes of ENCRYPT(k, 2^64-1, empty AD, 32 zero bytes).
 * Works on any TransportAead by its backend name, since the reserved nonce is not a safe integer.
 */
export function rekeyKey(aead: TransportAead, key: Uint8Array): Uint8Array {
  const out = new Uint8Array(AEAD_KEY_LENGTH + AEAD_TAG_LENGTH);
  createAead(aead.name).sealWithNonceBytes(key, REKEY_NONCE, ZEROS, out);
  const next = out.slice(0, AEAD_KEY_LENGTH);
  out.fill(0);
  return next;
}
