// trusted_devices.json, schema v1: the one validated entry for the file's content (its schema,
// checked through api/json-file.ts).
// Validation is strict because this file decides who may talk to this device.

import { parseJsonFile } from '../api/json-file';
import { arr, distinct, is, literal, obj, refine, rule, type Schema } from '../api/schema';
import { deviceNameProblem, isDeviceName } from '../identity/device-name';
import { isPublicKeyText } from '../identity/public-key';

export { deviceNameProblem };

export const TRUST_FILE_VERSION = 1;

export const APPROVALS = ['cli', 'consent-always', 'extension', 'config'] as const;
export type Approval = (typeof APPROVALS)[number];
export type TrustStatus = 'trusted' | 'revoked';

/** One device as stored. Times are ISO 8601 UTC strings as Date.toISOString() writes them. */
export interface TrustedDevice {
  /** Base64url text form of the Ed25519 public key. */
  readonly publicKey: string;
  readonly name: string;
  readonly firstSeen: string;
  readonly lastSeen: string;
  readonly approval: Approval;
  readonly status: TrustStatus;
  readonly revokedAt?: string;
  /** Bytes this device may store here; absent means the node's default quota. */
  readonly allowedBytes?: number;
}

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** True for a time in exactly the form Date.toISOString() produces, and a real date. */
export function isIsoTime(value: unknown): value is string {
  if (typeof value !== 'string' || !ISO_UTC.test(value)) return false;
  const ms = Date.parse(value);
  // Date.parse accepts 2024-02-30 and rolls it over; the round trip catches that.
  return Number.isFinite(ms) && new Date(ms).toISOString() === value;
}

export function isApproval(value: unknown): value is Approval {
  return typeof value === 'string' && (APPROVALS as readonly string[]).includes(value);
}

export function isAllowedBytes(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

const TIME_LIKE = 'a time like 2025-01-31T12:00:00.000Z';
const isoTime = is(isIsoTime, TIME_LIKE);

const deviceSchema: Schema<TrustedDevice> = refine(
  obj(
    {
      publicKey: rule(is(isPublicKeyText, 'a public key'), '"publicKey" must be a valid Ed25519 public key in base64url (43 characters)'),
      name: rule(is(isDeviceName, 'a device name'), (v) => `"name" ${deviceNameProblem(v) ?? ''}`),
      firstSeen: isoTime,
      lastSeen: isoTime,
      approval: rule(literal(...APPROVALS), `"approval" must be one of ${APPROVALS.map((a) => `"${a}"`).join(', ')}`),
      status: rule(literal('trusted', 'revoked'), '"status" must be "trusted" or "revoked"'),
    },
    { revokedAt: isoTime, allowedBytes: is(isAllowedBytes, 'a non-negative integer') },
    'strict',
  ),
  (d) => {
    if (d.status === 'revoked' && d.revokedAt === undefined) return `a revoked device needs "revokedAt", ${TIME_LIKE}`;
    if (d.status === 'trusted' && d.revokedAt !== undefined) return 'a trusted device must not have "revokedAt"';
    return undefined;
  },
);

const trustFileSchema = obj(
  {
    version: rule(literal(TRUST_FILE_VERSION), (v) =>
      typeof v === 'number'
        ? `its version ${v} is not supported (expected ${TRUST_FILE_VERSION}; was it written by a newer MemCloud?)`
        : `"version" must be ${TRUST_FILE_VERSION}${v === undefined ? ' (it is missing)' : ''}`,
    ),
    devices: distinct(arr(deviceSchema), (d) => d.publicKey, (key) => `public key ${String(key)} is listed twice`),
  },
  {},
  'strict',
);

/** The devices in a file's text, in file order, or a description of the first problem found. */
export function parseTrustFile(text: string): TrustedDevice[] | string {
  const file = parseJsonFile(text, trustFileSchema);
  return typeof file === 'string' ? file : file.devices.map(makeDevice);
}

/** A frozen device without undefined optional fields, so equality and JSON stay simple. */
export function makeDevice(d: TrustedDevice): TrustedDevice {
  const out: { -readonly [K in keyof TrustedDevice]: TrustedDevice[K] } = {
    publicKey: d.publicKey, name: d.name, firstSeen: d.firstSeen, lastSeen: d.lastSeen,
    approval: d.approval, status: d.status,
  };
  if (d.revokedAt !== undefined) out.revokedAt = d.revokedAt;
  if (d.allowedBytes !== undefined) out.allowedBytes = d.allowedBytes;
  return Object.freeze(out);
}

export function devicesEqual(a: TrustedDevice, b: TrustedDevice): boolean {
  return (
    a.publicKey === b.publicKey && a.name === b.name && a.firstSeen === b.firstSeen && a.lastSeen === b.lastSeen &&
    a.approval === b.approval && a.status === b.status && a.revokedAt === b.revokedAt && a.allowedBytes === b.allowedBytes
  );
}

export function serializeTrustFile(devices: Iterable<TrustedDevice>): string {
  return JSON.stringify({ version: TRUST_FILE_VERSION, devices: [...devices].map(makeDevice) }, null, 2) + '\n';
}
