// Fingerprints: a short form of a public key that two people can read aloud and compare.
// SHA-256 of the key, first 80 bits, Crockford base32 (no I L O U), 4 groups of 4: 7K3Q-MX2A-P9RT-4WZC.

import { sha256 } from '@noble/hashes/sha2.js';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const FINGERPRINT_BYTES = 10; // 80 bits = 16 base32 characters exactly
const GROUP = 4;

function crockfordBase32(bytes: Uint8Array): string {
  let out = '';
  let acc = 0;
  let bits = 0;
  for (const b of bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += CROCKFORD[(acc >>> bits) & 31];
    }
    acc &= (1 << bits) - 1;
  }
  if (bits > 0) out += CROCKFORD[(acc << (5 - bits)) & 31];
  return out;
}

/** The full fingerprint, e.g. `7K3Q-MX2A-P9RT-4WZC`. */
export function fingerprint(publicKey: Uint8Array): string {
  const digits = crockfordBase32(sha256(publicKey).subarray(0, FINGERPRINT_BYTES));
  const groups: string[] = [];
  for (let i = 0; i < digits.length; i += GROUP) groups.push(digits.slice(i, i + GROUP));
  return groups.join('-');
}

/** The first two groups, e.g. `7K3Q-MX2A`: enough to tell devices apart in a list, not to verify. */
export function shortFingerprint(publicKey: Uint8Array): string {
  return fingerprint(publicKey).slice(0, GROUP * 2 + 1);
}

const FINGERPRINT_PATTERN = /^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$/;

/** True when `text` has the shape of a full fingerprint. */
export function isFingerprint(text: string): boolean {
  return FINGERPRINT_PATTERN.test(text);
}
