// SHA-256 (FIPS 180-4) in JavaScript, for the few short messages every sealed block needs (its
// subkey's two HMAC passes and a key name's digest, block-seal.ts). Why not node:crypto: a one-shot
// `hash()` costs ~1 us per call, almost all of it the call into C++ and its checks, while one
// 64-byte block compresses here in a fraction of that; and HMAC under a fixed key can start from
// the padded key blocks' saved chaining values (midstates), so a subkey is two compressions instead
// of four. Long messages belong to node:crypto (it has SHA-NI); this is for a few blocks at most.
// Checked against node:crypto's SHA-256 and HMAC at every length around the block boundaries
// (test/engine/data/short-sha256.test.ts).

const BLOCK = 64;
export const SHA256_BYTES = 32;

/** The first 32 bits of the fractional parts of the square roots (IV) and cube roots (K) of the first primes (FIPS 180-4, 4.2.2 and 5.3.3). */
function roots(count: number, root: (x: number) => number): Int32Array {
  const out = new Int32Array(count);
  for (let p = 2, n = 0; n < count; p++) {
    let prime = true;
    for (let d = 2; d * d <= p; d++) if (p % d === 0) prime = false;
    if (!prime) continue;
    const r = root(p);
    out[n++] = Math.floor((r - Math.floor(r)) * 0x1_0000_0000) | 0;
  }
  return out;
}
const K = roots(64, Math.cbrt);
const IV = roots(8, Math.sqrt);

// Scratch, reused by every call (all synchronous) and zeroed after each: they hold derived values.
const W = new Int32Array(64);
const PAD = new Uint8Array(2 * BLOCK);
const STATE = new Int32Array(8);

/** One compression of the 64 bytes at bytes[at] into `state`. */
function compress(state: Int32Array, bytes: Uint8Array, at: number): void {
  for (let t = 0; t < 16; t++, at += 4) W[t] = (bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!;
  for (let t = 16; t < 64; t++) {
    const x = W[t - 15]!;
    const y = W[t - 2]!;
    const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
    const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
    W[t] = (s1 + W[t - 7]! + s0 + W[t - 16]!) | 0;
  }
  let a = state[0]!, b = state[1]!, c = state[2]!, d = state[3]!;
  let e = state[4]!, f = state[5]!, g = state[6]!, h = state[7]!;
  for (let t = 0; t < 64; t++) {
    const s1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (h + s1 + ((e & f) ^ (~e & g)) + K[t]! + W[t]!) | 0;
    const s0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (s0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  state[0] = (state[0]! + a) | 0;
  state[1] = (state[1]! + b) | 0;
  state[2] = (state[2]! + c) | 0;
  state[3] = (state[3]! + d) | 0;
  state[4] = (state[4]! + e) | 0;
  state[5] = (state[5]! + f) | 0;
  state[6] = (state[6]! + g) | 0;
  state[7] = (state[7]! + h) | 0;
}

/** The chaining value after whole 64-byte blocks (e.g. an HMAC's padded key block): a start for sha256From. */
export function midstate(blocks: Uint8Array): Int32Array {
  if (blocks.length % BLOCK !== 0) throw new Error('midstate: whole 64-byte blocks only');
  const state = Int32Array.from(IV);
  for (let at = 0; at < blocks.length; at += BLOCK) compress(state, blocks, at);
  W.fill(0);
  return state;
}

/**
 * SHA-256 of (the `before` bytes `start` summarises, a multiple of 64) || message, written into
 * out[outAt .. outAt + 32]. `start` is not changed; `start` null means the message alone.
 */
export function sha256From(start: Int32Array | null, before: number, message: Uint8Array, out: Uint8Array, outAt = 0): void {
  const state = STATE;
  state.set(start ?? IV);
  const whole = message.length - (message.length % BLOCK);
  for (let at = 0; at < whole; at += BLOCK) compress(state, message, at);
  // The padding: 0x80, zeros, and the length in bits as 64 bits big-endian (one or two blocks).
  const rest = message.length - whole;
  const blocks = rest + 9 <= BLOCK ? 1 : 2;
  const end = blocks * BLOCK;
  PAD.set(message.subarray(whole), 0);
  PAD[rest] = 0x80;
  PAD.fill(0, rest + 1, end - 8);
  const bits = (before + message.length) * 8;
  const high = Math.floor(bits / 0x1_0000_0000);
  const low = bits >>> 0;
  PAD[end - 8] = high >>> 24;
  PAD[end - 7] = high >>> 16;
  PAD[end - 6] = high >>> 8;
  PAD[end - 5] = high;
  PAD[end - 4] = low >>> 24;
  PAD[end - 3] = low >>> 16;
  PAD[end - 2] = low >>> 8;
  PAD[end - 1] = low;
  compress(state, PAD, 0);
  if (blocks === 2) compress(state, PAD, BLOCK);
  for (let i = 0; i < 8; i++) {
    const v = state[i]!;
    out[outAt + 4 * i] = v >>> 24;
    out[outAt + 4 * i + 1] = v >>> 16;
    out[outAt + 4 * i + 2] = v >>> 8;
    out[outAt + 4 * i + 3] = v;
  }
  PAD.fill(0, 0, end);
  W.fill(0);
  state.fill(0);
}
