// Team records (certificates, revocation lists) are `body || signature`: an Ed25519 signature
// (RFC 8032, strict) by the team key over `context || 00 || body` (docs/protocol.md section 12).
// The context keeps a signature made for one record kind from being valid for another.

import { ed25519 } from '@noble/curves/ed25519.js';
import { isValidPublicKey } from '../identity/public-key';

export const SIGNATURE_BYTES = 64;

export const TeamSignatureContext = {
  CERTIFICATE: 'memcloud/v1/team-certificate',
  REVOCATIONS: 'memcloud/v1/team-revocations',
} as const;
export type TeamSignatureContextValue = (typeof TeamSignatureContext)[keyof typeof TeamSignatureContext];

function signedMessage(context: TeamSignatureContextValue, body: Uint8Array): Uint8Array {
  const ctx = Buffer.from(context, 'ascii');
  const out = new Uint8Array(ctx.length + 1 + body.length);
  out.set(ctx, 0);
  out[ctx.length] = 0;
  out.set(body, ctx.length + 1);
  return out;
}

/** `body || signature`, signed with the team's 32-byte Ed25519 seed. */
export function signRecord(context: TeamSignatureContextValue, body: Uint8Array, teamSecret: Uint8Array): Uint8Array {
  const signature = ed25519.sign(signedMessage(context, body), teamSecret);
  const out = new Uint8Array(body.length + SIGNATURE_BYTES);
  out.set(body, 0);
  out.set(signature, body.length);
  return out;
}

/** True when the last 64 bytes of `record` are the team key's signature over the rest. */
export function verifyRecord(context: TeamSignatureContextValue, record: Uint8Array, teamKey: Uint8Array): boolean {
  if (record.length <= SIGNATURE_BYTES || !isValidPublicKey(teamKey)) return false;
  const body = record.subarray(0, record.length - SIGNATURE_BYTES);
  const signature = record.subarray(record.length - SIGNATURE_BYTES);
  try {
    return ed25519.verify(signature, signedMessage(context, body), teamKey, { zip215: false });
  } catch {
    return false;
  }
}
