// What changed between two versions of the trust store, as the events listeners receive.

import { devicesEqual, type TrustedDevice } from './trust-file';

export type TrustChangeKind = 'trusted' | 'revoked' | 'forgotten' | 'updated';

export interface TrustChange {
  readonly kind: TrustChangeKind;
  /** Base64url text form of the device's public key (see parsePublicKey / decodePublicKeyText). */
  readonly publicKey: string;
}

export type TrustListener = (change: TrustChange) => void;

/** One change per device that differs; a status change wins over other edits to the entry. */
export function diffDevices(
  before: ReadonlyMap<string, TrustedDevice>,
  after: ReadonlyMap<string, TrustedDevice>,
): TrustChange[] {
  const changes: TrustChange[] = [];
  for (const [publicKey, now] of after) {
    const was = before.get(publicKey);
    if (was === undefined || was.status !== now.status) changes.push({ kind: now.status, publicKey });
    else if (!devicesEqual(was, now)) changes.push({ kind: 'updated', publicKey });
  }
  for (const publicKey of before.keys()) {
    if (!after.has(publicKey)) changes.push({ kind: 'forgotten', publicKey });
  }
  return changes;
}
