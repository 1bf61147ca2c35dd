// Identity-like data and hand-built records for the discovery tests.

import { randomBytes } from 'node:crypto';
import { encodeBase64url } from '../../../engine/identity/base64url';
import { fingerprint } from '../../../engine/identity/fingerprint';
import { SERVICE_TYPE } from '../../../engine/discovery/constants';

export interface FakeIdentity {
  readonly publicKey: string;
  readonly fingerprint: string;
}

/** Random 32 bytes in the key's text form: discovery checks the format only, not the curve point. */
export function fakeIdentity(): FakeIdentity {
  const key = randomBytes(32);
  return { publicKey: encodeBase64url(key), fingerprint: fingerprint(key) };
}

export function txtData(id: FakeIdentity, over: Record<string, string> = {}): Buffer[] {
  const fields = { v: '1', pk: id.publicKey, fp: id.fingerprint, name: 'laptop', offer: '1024', ...over };
  return Object.entries(fields).map(([k, v]) => Buffer.from(`${k}=${v}`));
}

/** A decoded response packet (the shape multicast-dns hands us) advertising one instance. */
export function advertisementPacket(opts: {
  instance: string;
  id: FakeIdentity;
  host?: string;
  port?: number;
  addresses?: string[];
  ttl?: number;
  txt?: Buffer[];
  flush?: boolean;
}): Record<string, unknown> {
  const fqdn = `${opts.instance}.${SERVICE_TYPE}`;
  const host = opts.host ?? `${opts.instance.replace(/[^a-z0-9]/gi, '')}.local`;
  const ttl = opts.ttl ?? 120;
  const flush = opts.flush ?? true;
  return {
    type: 'response',
    questions: [],
    answers: [
      { name: SERVICE_TYPE, type: 'PTR', class: 'IN', ttl, flush: false, data: fqdn },
      { name: fqdn, type: 'SRV', class: 'IN', ttl, flush, data: { priority: 0, weight: 0, port: opts.port ?? 7000, target: host } },
      { name: fqdn, type: 'TXT', class: 'IN', ttl, flush, data: opts.txt ?? txtData(opts.id) },
    ],
    authorities: [],
    additionals: (opts.addresses ?? ['192.168.1.20']).map((a) => ({
      name: host,
      type: a.includes(':') ? 'AAAA' : 'A',
      class: 'IN',
      ttl,
      flush,
      data: a,
    })),
  };
}
