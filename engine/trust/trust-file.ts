// trusted_devices.json, schema v1: the one validated entry for the file's content.
// Validation is strict because this file decides who may talk to this device.

import { deviceNameProblem } from '../identity/device-name';
import { decodePublicKeyText } from '../identity/public-key';

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
const DEVICE_KEYS: ReadonlySet<string> = new Set([
  'publicKey', 'name', 'firstSeen', 'lastSeen', 'approval', 'status', 'revokedAt', 'allowedBytes',
]);

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

/** The devices in a file's text, in file order, or a description of the first problem found. */
export function parseTrustFile(text: string): TrustedDevice[] | string {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return 'it is not valid JSON';
  }
  if (!isPlainObject(json)) return 'it is not a JSON object';
  for (const key of Object.keys(json)) {
    if (key !== 'version' && key !== 'devices') return `it has an unexpected field ${quoted(key)}`;
  }
  if (typeof json.version !== 'number') return '"version" is missing';
  if (json.version !== TRUST_FILE_VERSION) {
    return `its version ${json.version} is not supported (expected ${TRUST_FILE_VERSION}; was it written by a newer MemCloud?)`;
  }
  if (!Array.isArray(json.devices)) return '"devices" must be an array';
  const seen = new Set<string>();
  const devices: TrustedDevice[] = [];
  for (const [i, raw] of json.devices.entries()) {
    const device = parseDevice(raw);
    if (typeof device === 'string') return `devices[${i}]: ${device}`;
    if (seen.has(device.publicKey)) return `devices[${i}]: public key ${device.publicKey} is listed twice`;
    seen.add(device.publicKey);
    devices.push(device);
  }
  return devices;
}

function parseDevice(raw: unknown): TrustedDevice | string {
  if (!isPlainObject(raw)) return 'must be an object';
  for (const key of Object.keys(raw)) if (!DEVICE_KEYS.has(key)) return `unexpected field ${quoted(key)}`;
  const { publicKey, name, firstSeen, lastSeen, approval, status, revokedAt, allowedBytes } = raw;
  if (typeof publicKey !== 'string' || decodePublicKeyText(publicKey) === undefined) {
    return '"publicKey" must be a valid Ed25519 public key in base64url (43 characters)';
  }
  const nameProblem = deviceNameProblem(name);
  if (nameProblem !== undefined) return `"name" ${nameProblem}`;
  if (!isIsoTime(firstSeen)) return '"firstSeen" must be a time like 2025-01-31T12:00:00.000Z';
  if (!isIsoTime(lastSeen)) return '"lastSeen" must be a time like 2025-01-31T12:00:00.000Z';
  if (!isApproval(approval)) return `"approval" must be one of ${APPROVALS.map((a) => `"${a}"`).join(', ')}`;
  if (status !== 'trusted' && status !== 'revoked') return '"status" must be "trusted" or "revoked"';
  if (status === 'revoked' && !isIsoTime(revokedAt)) return 'a revoked device needs "revokedAt", a time like 2025-01-31T12:00:00.000Z';
  if (status === 'trusted' && revokedAt !== undefined) return 'a trusted device must not have "revokedAt"';
  if (allowedBytes !== undefined && !isAllowedBytes(allowedBytes)) return '"allowedBytes" must be a non-negative integer';
  return makeDevice({
    publicKey, name: name as string, firstSeen, lastSeen, approval, status,
    revokedAt: revokedAt as string | undefined, allowedBytes,
  });
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

/** A key from the file, echoed in a message: JSON-quoted (controls escaped) and cut short. */
function quoted(key: string): string {
  return JSON.stringify(key.length > 80 ? `${key.slice(0, 80)}...` : key);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
