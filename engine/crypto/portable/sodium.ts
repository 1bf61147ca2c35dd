// libsodium compiled to WebAssembly (the npm package libsodium-wrappers, its wasm embedded in the
// JavaScript; bundled once into dist/libsodium.js, beside the bundles that require it, so it loads
// with no network and no file outside dist/), loaded once per thread, only when portable is chosen. The hot paths call libsodium's C functions
// directly on fixed slots of its heap (one copy in, one copy out), not through the wrappers,
// which allocate and free on every call.

import { KEY_LENGTH, MAX_ASSOCIATED_DATA, MAX_NOISE_MESSAGE, NONCE_LENGTH, SIGNATURE_LENGTH, TAG_LENGTH } from '../constants';
import { ErrorCodes, MemCloudError } from '../../errors';
import { backendAbsent } from '../absent';

/**
 * The C functions we call, as emscripten exports them: pointers are heap offsets, and each 64-bit
 * length is passed as two 32-bit halves (low, high). NULL is 0.
 */
export interface SodiumExports {
  readonly HEAPU8: Uint8Array;
  _malloc(size: number): number;
  _crypto_aead_chacha20poly1305_ietf_encrypt_detached(
    c: number, mac: number, maclenP: number, m: number, mlenLo: number, mlenHi: number,
    ad: number, adlenLo: number, adlenHi: number, nsec: number, npub: number, k: number,
  ): number;
  _crypto_aead_chacha20poly1305_ietf_decrypt_detached(
    m: number, nsec: number, c: number, clenLo: number, clenHi: number, mac: number,
    ad: number, adlenLo: number, adlenHi: number, npub: number, k: number,
  ): number;
  _crypto_scalarmult(q: number, n: number, p: number): number;
  _crypto_scalarmult_base(q: number, n: number): number;
  _crypto_sign_seed_keypair(pk: number, sk: number, seed: number): number;
  _crypto_sign_detached(sig: number, siglenP: number, m: number, mlenLo: number, mlenHi: number, sk: number): number;
  _crypto_sign_verify_detached(sig: number, m: number, mlenLo: number, mlenHi: number, pk: number): number;
}

/** Fixed heap slots, allocated once: calls run one at a time on a thread, so one set is enough. */
export interface SodiumSlots {
  readonly key: number; // 32: AEAD key or X25519 secret
  readonly nonce: number; // 12
  readonly ad: number; // MAX_ASSOCIATED_DATA
  readonly point: number; // 32: X25519 public key or Ed25519 public key
  readonly out: number; // 64: DH output, signature, derived public key
  readonly secret: number; // 64: Ed25519 secret key (seed || public key)
  readonly data: number; // MAX_NOISE_MESSAGE + TAG_LENGTH: message, ciphertext, plaintext
}

export interface Sodium {
  readonly lib: SodiumExports;
  readonly slots: SodiumSlots;
}

let loading: Promise<Sodium> | undefined;
let loaded: Sodium | undefined;

/** The part of the WebAssembly global this file uses (the project's lib has no DOM types). */
interface MinimalWasm {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => object;
}

/** The smallest valid module (magic, version 1): compiling and instantiating it proves wasm runs here. */
const EMPTY_MODULE = Uint8Array.of(0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00);

/**
 * Whether WebAssembly can start in this thread (absent under `node --jitless`, or where a policy
 * forbids it). Checked before libsodium loads: libsodium.js would otherwise fall back silently to
 * its much slower JavaScript build.
 */
export function webAssemblyStarts(): boolean {
  if (backendAbsent('portable')) return false;
  try {
    const wasm = (globalThis as { WebAssembly?: MinimalWasm }).WebAssembly;
    if (wasm === undefined) return false;
    return new wasm.Instance(new wasm.Module(EMPTY_MODULE)) instanceof wasm.Instance;
  } catch {
    return false;
  }
}

/** Loads libsodium once per thread; rejects with BAD_ARGUMENT when WebAssembly cannot start. */
export function loadSodium(): Promise<Sodium> {
  loading ??= start();
  return loading;
}

/** The loaded library; throws when loadSodium() has not completed in this thread. */
export function sodium(): Sodium {
  if (loaded === undefined) {
    throw new MemCloudError(ErrorCodes.INTERNAL, 'the portable crypto backend is used before libsodium finished loading');
  }
  return loaded;
}

interface Wrappers {
  readonly ready: Promise<void>;
  readonly libsodium?: SodiumExports;
}

/**
 * The wrappers object behind however the module arrived: its ES module namespace (tests, from
 * node_modules), or dist/libsodium.js imported as CommonJS, whose exports nest it under `default`.
 */
function wrappersObject(loaded: unknown): Wrappers {
  let m = loaded as { ready?: unknown; default?: unknown } | undefined;
  for (let depth = 0; m !== undefined && m !== null && typeof m.ready !== 'object' && depth < 3; depth++) {
    m = m.default as typeof m;
  }
  if (m === undefined || m === null || !(m.ready instanceof Promise)) {
    throw new MemCloudError(ErrorCodes.INTERNAL, 'libsodium-wrappers loaded in an unexpected shape');
  }
  return m as unknown as Wrappers;
}

async function start(): Promise<Sodium> {
  if (!webAssemblyStarts()) {
    loading = undefined; // a later call may try again (and fail the same way, cheaply)
    throw new MemCloudError(ErrorCodes.BAD_ARGUMENT, 'crypto "portable" needs WebAssembly, which cannot start in this runtime; use "auto" or "noble"');
  }
  const mod = wrappersObject(await import('libsodium-wrappers'));
  await mod.ready;
  const lib = mod.libsodium;
  if (lib === undefined) throw new MemCloudError(ErrorCodes.INTERNAL, 'libsodium-wrappers did not expose its WebAssembly module');
  const alloc = (n: number): number => {
    const p = lib._malloc(n);
    if (p === 0) throw new MemCloudError(ErrorCodes.INTERNAL, 'libsodium could not allocate its working memory');
    return p;
  };
  const slots: SodiumSlots = {
    key: alloc(KEY_LENGTH),
    nonce: alloc(NONCE_LENGTH),
    ad: alloc(MAX_ASSOCIATED_DATA),
    point: alloc(KEY_LENGTH),
    out: alloc(SIGNATURE_LENGTH),
    secret: alloc(SIGNATURE_LENGTH),
    data: alloc(MAX_NOISE_MESSAGE + TAG_LENGTH),
  };
  loaded = { lib, slots };
  return loaded;
}
