// The identity_key file: created once, atomically and exclusively, then only ever read.
// An existing file is never replaced, whatever state it is in: losing the identity means every
// peer has to trust this device again, so that is the user's decision, not ours.

import { ErrorCodes, MemCloudError } from '../errors';
import { createFileExclusive, FileShapeError, readFileStrict } from '../home/atomic-file';
import { describe } from '../home/fs-errors';
import { checksPosixPermissions, ensureHome } from '../home/home';
import { homePaths } from '../home/paths';
import { decodeBase64urlExact, encodeBase64url } from './base64url';
import { DeviceIdentity, SECRET_KEY_BYTES } from './device-identity';
import { PUBLIC_KEY_BYTES } from './public-key';

export const IDENTITY_FILE_VERSION = 1;
const MAX_IDENTITY_FILE_BYTES = 4096;
const FILE_KEYS = ['version', 'type', 'secretKey', 'publicKey', 'createdAt'] as const;
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** Load the device identity from `home`, creating it (and the home) on first start. */
export async function loadOrCreateIdentity(home: string): Promise<DeviceIdentity> {
  await ensureHome(home);
  const path = homePaths(home).identityKey;
  const existing = await loadIdentityFile(path);
  if (existing !== undefined) return existing;

  const created = DeviceIdentity.generate();
  let written: boolean;
  try {
    written = await createFileExclusive(path, serializeIdentity(created), 0o600);
  } catch (err) {
    throw new MemCloudError(
      ErrorCodes.HOME_UNUSABLE,
      `Could not create the identity file "${path}" (${describe(err)}). Check that the MemCloud home is writable and the disk is not full.`,
      { cause: err },
    );
  }
  if (written) return created;
  // Another process created it between our read and our create: use theirs.
  const theirs = await loadIdentityFile(path);
  if (theirs === undefined) throw unreadable(path, 'it vanished right after another process created it', 'Start MemCloud again.');
  return theirs;
}

/** Read and verify an identity file. Undefined if it does not exist; throws if it is unusable. */
export async function loadIdentityFile(path: string): Promise<DeviceIdentity | undefined> {
  let read;
  try {
    read = await readFileStrict(path, { maxBytes: MAX_IDENTITY_FILE_BYTES });
  } catch (err) {
    if (err instanceof FileShapeError) throw corrupt(path, err.message);
    throw unreadable(path, `it could not be read (${describe(err)})`, 'Check its owner and permissions.', err);
  }
  if (read === undefined) return undefined;
  if (checksPosixPermissions) {
    const uid = process.getuid?.();
    if (uid !== undefined && read.uid !== uid) {
      throw unreadable(path, `it is owned by uid ${read.uid}, not by you (uid ${uid})`, 'Run MemCloud as the owner of the file.');
    }
    if ((read.mode & 0o077) !== 0) {
      throw unreadable(
        path,
        `its permissions (${read.mode.toString(8).padStart(4, '0')}) let other users access the secret key`,
        `Run: chmod 600 "${path}"`,
      );
    }
  }
  const parsed = parseIdentity(read.data);
  if (typeof parsed === 'string') throw corrupt(path, parsed);
  return parsed;
}

export function serializeIdentity(identity: DeviceIdentity): string {
  const secret = identity.exportSecretKeyForSigning();
  try {
    const file = {
      version: IDENTITY_FILE_VERSION,
      type: 'ed25519',
      secretKey: encodeBase64url(secret),
      publicKey: identity.publicKeyText,
      createdAt: identity.createdAt,
    };
    return JSON.stringify(file, null, 2) + '\n';
  } finally {
    secret.fill(0);
  }
}

/** The identity in `data`, or a description of what is wrong with it. */
function parseIdentity(data: Buffer): DeviceIdentity | string {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(data));
  } catch {
    return 'it is not valid JSON';
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return 'it is not a JSON object';
  const obj = json as Record<string, unknown>;
  const unknownKey = Object.keys(obj).find((k) => !(FILE_KEYS as readonly string[]).includes(k));
  if (unknownKey !== undefined) return `it has an unexpected field "${unknownKey}"`;
  if (typeof obj.version !== 'number') return '"version" is missing';
  if (obj.version !== IDENTITY_FILE_VERSION) {
    return `its version ${obj.version} is not supported (expected ${IDENTITY_FILE_VERSION}; was it written by a newer MemCloud?)`;
  }
  if (obj.type !== 'ed25519') return '"type" must be "ed25519"';
  const secret = typeof obj.secretKey === 'string' ? decodeBase64urlExact(obj.secretKey, SECRET_KEY_BYTES) : undefined;
  if (secret === undefined) return `"secretKey" must be ${SECRET_KEY_BYTES} bytes of base64url`;
  const publicKey = typeof obj.publicKey === 'string' ? decodeBase64urlExact(obj.publicKey, PUBLIC_KEY_BYTES) : undefined;
  if (publicKey === undefined) {
    secret.fill(0);
    return `"publicKey" must be ${PUBLIC_KEY_BYTES} bytes of base64url`;
  }
  const createdAt = obj.createdAt;
  if (typeof createdAt !== 'string' || !ISO_UTC.test(createdAt) || Number.isNaN(Date.parse(createdAt))) {
    secret.fill(0);
    return '"createdAt" must be an ISO 8601 UTC time';
  }
  try {
    return new DeviceIdentity(secret, createdAt, publicKey);
  } catch {
    return '"publicKey" does not belong to "secretKey"';
  } finally {
    secret.fill(0);
  }
}

const RECOVERY =
  'MemCloud has not changed it. Restore it from a backup; or move it aside to create a new identity ' +
  'on the next start, knowing that every peer will then have to trust this device again.';

function corrupt(path: string, problem: string): MemCloudError {
  return new MemCloudError(ErrorCodes.IDENTITY_CORRUPT, `Identity file "${path}" is corrupt: ${problem}. ${RECOVERY}`);
}

function unreadable(path: string, problem: string, todo: string, cause?: unknown): MemCloudError {
  return new MemCloudError(ErrorCodes.IDENTITY_UNREADABLE, `Identity file "${path}" cannot be used: ${problem}. ${todo}`, { cause });
}
