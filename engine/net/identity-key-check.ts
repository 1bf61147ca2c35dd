// Section 3.4: an identity key must be a canonical encoding and not a small-order point (under a
// small-order key one forged signature verifies every message, and OpenSSL's Ed25519 accepts such
// keys). Invalid points are refused by the signature check itself. This is a table lookup, not a
// point decompression: decompressing costs ~0.3 ms of the handshake's critical path per side.

import { ed25519 } from '@noble/curves/ed25519.js';

/** A point of order 8 (RFC 8032 curve); its multiples are the whole small-order subgroup. */
const ORDER_8 = 'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a';

let smallOrder: ReadonlySet<string> | null = null;

function smallOrderEncodings(): ReadonlySet<string> {
  if (smallOrder) return smallOrder;
  const t = ed25519.Point.fromHex(ORDER_8);
  const set = new Set<string>();
  for (let k = 0n; k < 8n; k++) {
    const bytes = (k === 0n ? ed25519.Point.ZERO : t.multiply(k)).toBytes();
    set.add(Buffer.from(bytes).toString('hex'));
    // x = 0 (y = 1 or -1) with the sign bit set: "negative zero", also refused.
    if (k % 4n === 0n) {
      bytes[31]! |= 0x80;
      set.add(Buffer.from(bytes).toString('hex'));
    }
  }
  smallOrder = set;
  return set;
}

/** y >= p = 2^255 - 19 (sign bit ignored): a non-canonical encoding. */
function nonCanonical(key: Uint8Array): boolean {
  if ((key[31]! & 0x7f) !== 0x7f) return false;
  for (let i = 30; i >= 1; i--) if (key[i] !== 0xff) return false;
  return key[0]! >= 0xed;
}

export function isStrictIdentityKey(key: Uint8Array): boolean {
  return key.length === 32 && !nonCanonical(key) && !smallOrderEncodings().has(Buffer.from(key).toString('hex'));
}
