// The impostor check behind the consent prompt's loud warning: an unknown device whose name looks
// like the name of a device we trust (same confusable skeleton: `dеsk` with a Cyrillic е, `DESK`,
// `de sk`), or that quotes part of a trusted device's fingerprint in its name.

import { nameQuotesFingerprint, namesLookAlike } from '../identity/confusables';
import { fingerprint } from '../identity/fingerprint';
import { decodePublicKeyText } from '../identity/public-key';
import type { TrustedDevice } from '../trust/trust-file';

/** The fingerprint of the trusted device `name` could be taken for, or undefined. */
export function trustedLookalike(name: string, devices: readonly TrustedDevice[]): string | undefined {
  for (const d of devices) {
    if (d.status !== 'trusted') continue;
    const key = decodePublicKeyText(d.publicKey);
    if (key === undefined) continue;
    const fp = fingerprint(key);
    if (namesLookAlike(name, d.name) || nameQuotesFingerprint(name, fp)) return fp;
  }
  return undefined;
}
