// Finding a device from what a person types: its public key, full or short fingerprint (any case,
// dashes optional), or its name. Ambiguity is an error that lists the candidates.

import { ErrorCodes, MemCloudError } from '../errors';
import { generatedDeviceName } from '../identity/device-name';
import { fingerprint } from '../identity/fingerprint';
import { decodePublicKeyText } from '../identity/public-key';

export interface NamedDevice {
  readonly publicKey: string;
  readonly name: string;
}

const normalizeFp = (s: string) => s.toUpperCase().replace(/-/g, '');

export function findDevice<T extends NamedDevice>(devices: readonly T[], query: string): T {
  const q = query.trim();
  if (q === '') throw new MemCloudError(ErrorCodes.BAD_ARGUMENT, 'name a device by its name, fingerprint or public key');
  const byKey = devices.find((d) => d.publicKey === q);
  if (byKey) return byKey;
  const fpq = normalizeFp(q);
  if (/^[0-9A-Z]{8,16}$/.test(fpq)) {
    const byFp = devices.filter((d) => {
      const key = decodePublicKeyText(d.publicKey);
      return key !== undefined && normalizeFp(fingerprint(key)).startsWith(fpq);
    });
    if (byFp.length === 1) return byFp[0]!;
    if (byFp.length > 1) throw ambiguous(q, byFp);
  }
  const byName = devices.filter((d) => d.name === q);
  if (byName.length === 1) return byName[0]!;
  if (byName.length > 1) throw ambiguous(q, byName);
  const folded = devices.filter((d) => d.name.toLowerCase() === q.toLowerCase());
  if (folded.length === 1) return folded[0]!;
  throw new MemCloudError(ErrorCodes.PEER_NOT_FOUND, `no device matches "${q}" (use a name, fingerprint or public key; see \`memcloud trust list\`)`);
}

function ambiguous(q: string, ds: readonly NamedDevice[]): MemCloudError {
  const list = ds.map((d) => `${d.name} (${describeKey(d.publicKey)})`).join(', ');
  return new MemCloudError(ErrorCodes.BAD_ARGUMENT, `"${q}" matches several devices: ${list}; use a fingerprint or public key`);
}

function describeKey(publicKey: string): string {
  const key = decodePublicKeyText(publicKey);
  return key ? fingerprint(key) : publicKey;
}

/** The name a device gets when trusted without one: `device-` and its fingerprint's first 4 characters. */
export function fallbackDeviceName(publicKey: Uint8Array): string {
  return generatedDeviceName(fingerprint(publicKey));
}
