// The impostor check behind the consent prompt's loud warning and the peers lists' flag: an unknown
// device whose name looks like the name of a device we trust (same confusable skeleton: `dеsk` with
// a Cyrillic е, `DESK`, `de sk`), or that quotes part of a trusted device's fingerprint in its name.

import { nameQuotesFingerprint, namesLookAlike } from '../identity/confusables';
import { fingerprint } from '../identity/fingerprint';
import { decodePublicKeyText } from '../identity/public-key';
import type { TrustedDevice } from '../trust/trust-file';

/** The check against `devices`, their fingerprints worked out once (a peers list asks it per row). */
export function lookalikeCheck(devices: readonly TrustedDevice[]): (name: string) => string | undefined {
  const marks: Array<{ readonly name: string; readonly fingerprint: string }> = [];
  for (const d of devices) {
    if (d.status !== 'trusted') continue;
    const key = decodePublicKeyText(d.publicKey);
    if (key !== undefined) marks.push({ name: d.name, fingerprint: fingerprint(key) });
  }
  return (name) => marks.find((m) => namesLookAlike(name, m.name) || nameQuotesFingerprint(name, m.fingerprint))?.fingerprint;
}

/** The fingerprint of the trusted device `name` could be taken for, or undefined. */
export function trustedLookalike(name: string, devices: readonly TrustedDevice[]): string | undefined {
  return lookalikeCheck(devices)(name);
}
