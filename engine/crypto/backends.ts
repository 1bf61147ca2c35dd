// The three backends, each one object with every crypto family, and the one rule that picks among
// them: auto = native if node:crypto has chacha20-poly1305 (and working X25519/Ed25519), else
// portable if WebAssembly starts, else noble.

import { ErrorCodes, MemCloudError } from '../errors';
import { Aead } from './aead/aead';
import { nativeChaChaPoly, nativeChaChaPolyAvailable } from './aead/native-chachapoly';
import { nobleChaChaPoly } from './aead/noble-chachapoly';
import { portableChaChaPoly } from './aead/portable-chachapoly';
import type { AsymBackend } from './asym/asym';
import { nativeAsym, nativeAsymAvailable } from './asym/native-asym';
import { nobleAsym } from './asym/noble-asym';
import { portableAsym } from './asym/portable-asym';
import type { CryptoBackendName, CryptoChoice } from './backend-name';
import { noiseCipher, type NoiseCipher } from './noise/cipher';
import { noiseDh, type NoiseDH } from './noise/dh';
import type { NoiseHash } from './noise/hash';
import { COMPACT_SHA256 } from './noise/compact-sha256';
import { loadSodium, webAssemblyStarts } from './portable/sodium';

/** What the Noise core needs: the protocol's DH, cipher and hash functions (spec section 4). */
export interface NoiseSuite {
  readonly dh: NoiseDH;
  readonly cipher: NoiseCipher;
  readonly hash: NoiseHash;
}

export interface CryptoBackend {
  readonly name: CryptoBackendName;
  readonly aead: Aead;
  readonly asym: AsymBackend;
  readonly noise: NoiseSuite;
}

/**
 * SHA-256 (and so Noise's HMAC and HKDF) is the same for every backend: compact-sha256.ts, in
 * JavaScript, which beats node:crypto on the handshake's short inputs (a node:crypto call's fixed
 * cost is larger than a block's compression) and needs nothing of the runtime. noble's SHA256 stays
 * the reference in tests.
 */
function make(name: CryptoBackendName, aead: Aead, asym: AsymBackend): CryptoBackend {
  return { name, aead, asym, noise: { dh: noiseDh(asym), cipher: noiseCipher(aead), hash: COMPACT_SHA256 } };
}

const made = new Map<CryptoBackendName, CryptoBackend>();
let portableLoaded = false;

/** Whether `name` can run in this thread (portable: whether WebAssembly starts; it may still have to load). */
export function backendAvailable(name: CryptoBackendName): boolean {
  switch (name) {
    case 'native':
      return nativeChaChaPolyAvailable() && nativeAsymAvailable();
    case 'portable':
      return webAssemblyStarts();
    case 'noble':
      return true;
  }
}

const WHY_ABSENT: Record<CryptoBackendName, string> = {
  native: "this runtime's node:crypto has no chacha20-poly1305 (or no working X25519/Ed25519)",
  portable: 'WebAssembly cannot start in this runtime',
  noble: '',
};

function unavailable(name: CryptoBackendName): MemCloudError {
  return new MemCloudError(ErrorCodes.BAD_ARGUMENT, `crypto "${name}" is not available: ${WHY_ABSENT[name]}; use "auto" or "noble"`);
}

/** Makes `name` ready in this thread (portable loads libsodium once); throws BAD_ARGUMENT where it cannot run. */
export async function loadBackend(name: CryptoBackendName): Promise<CryptoBackend> {
  if (!backendAvailable(name)) throw unavailable(name);
  if (name === 'portable' && !portableLoaded) {
    await loadSodium();
    portableLoaded = true;
  }
  return backend(name);
}

/** A backend already made ready in this thread by loadBackend (native and noble need no loading). */
export function backend(name: CryptoBackendName): CryptoBackend {
  let b = made.get(name);
  if (b !== undefined) return b;
  switch (name) {
    case 'native':
      if (!backendAvailable('native')) throw unavailable('native');
      b = make(name, new Aead(nativeChaChaPoly), nativeAsym);
      break;
    case 'portable':
      if (!portableLoaded) throw new MemCloudError(ErrorCodes.INTERNAL, 'crypto "portable" used before loadBackend("portable") completed in this thread');
      b = make(name, new Aead(portableChaChaPoly), portableAsym);
      break;
    case 'noble':
      b = make(name, new Aead(nobleChaChaPoly), nobleAsym);
      break;
    default:
      throw new MemCloudError(ErrorCodes.BAD_ARGUMENT, `unknown crypto backend: ${String(name satisfies never)}`);
  }
  made.set(name, b);
  return b;
}

/** Resolves a user's choice to a running backend: auto takes the first of native, portable, noble that starts. */
export async function chooseBackend(choice: CryptoChoice): Promise<CryptoBackend> {
  if (choice !== 'auto') return loadBackend(choice);
  if (backendAvailable('native')) return loadBackend('native');
  if (backendAvailable('portable')) {
    try {
      return await loadBackend('portable');
    } catch {
      // libsodium failed to start although WebAssembly did: fall through to the fallback.
    }
  }
  return loadBackend('noble');
}
