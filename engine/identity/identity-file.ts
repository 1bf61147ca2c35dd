// The identity_key file: created once, atomically and exclusively; afterwards replaced only by a
// move between protection forms (identity-protect.ts), which verifies the new form first.
// An unusable file is never replaced, whatever state it is in: losing the identity means every
// peer has to trust this device again, so that is the user's decision, not ours.

import { ErrorCodes, MemCloudError } from '../errors';
import { createFileExclusive, FileShapeError, readFileStrict } from '../home/atomic-file';
import { describe } from '../home/fs-errors';
import { checksPosixPermissions, ensureHome } from '../home/home';
import { homePaths } from '../home/paths';
import { DeviceIdentity } from './device-identity';
import { openIdentity } from './identity-open';
import { MAX_IDENTITY_FILE_BYTES, parseIdentityRecord, plainRecord, serializeIdentityRecord, type IdentityRecord } from './identity-record';
import { noSecretUnlock, type IdentityUnlock } from './identity-unlock';

export const IDENTITY_FILE_VERSION = 1;

/** Load the device identity from `home`, creating it (plain, and the home) on first start. */
export async function loadOrCreateIdentity(home: string, unlock: IdentityUnlock = noSecretUnlock()): Promise<DeviceIdentity> {
  const path = homePaths(home).identityKey;
  return openIdentity(await readOrCreateRecord(home), unlock, path);
}

/** The identity's record (public key, form), creating a plain identity on first use; never unlocks. */
export async function readOrCreateRecord(home: string): Promise<IdentityRecord> {
  await ensureHome(home);
  const path = homePaths(home).identityKey;
  const existing = await readIdentityRecord(path);
  if (existing !== undefined) return existing;
  const created = plainRecord(DeviceIdentity.generate());
  if (await createIdentityFile(path, created)) return created;
  // Another process created it between our read and our create: use theirs.
  const theirs = await readIdentityRecord(path);
  if (theirs === undefined) throw unreadable(path, 'it vanished right after another process created it', 'Start MemCloud again.');
  return theirs;
}

/** Creates the file exclusively; false when one exists already. */
export async function createIdentityFile(path: string, record: IdentityRecord): Promise<boolean> {
  try {
    return await createFileExclusive(path, serializeIdentityRecord(record), 0o600);
  } catch (err) {
    throw new MemCloudError(
      ErrorCodes.HOME_UNUSABLE,
      `Could not create the identity file "${path}" (${describe(err)}). Check that the MemCloud home is writable and the disk is not full.`,
      { cause: err },
    );
  }
}

/** Read and verify an identity file. Undefined if it does not exist; throws if it is unusable. */
export async function loadIdentityFile(path: string, unlock: IdentityUnlock = noSecretUnlock()): Promise<DeviceIdentity | undefined> {
  const record = await readIdentityRecord(path);
  return record === undefined ? undefined : openIdentity(record, unlock, path);
}

/** The file's record, checked for owner, permissions and shape. Undefined if there is none. */
export async function readIdentityRecord(path: string): Promise<IdentityRecord | undefined> {
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
  const parsed = parseIdentityRecord(read.data);
  read.data.fill(0);
  if (typeof parsed === 'string') throw corrupt(path, parsed);
  return parsed;
}

export function serializeIdentity(identity: DeviceIdentity): string {
  return serializeIdentityRecord(plainRecord(identity));
}

const RECOVERY =
  'MemCloud has not changed it. Restore it from a backup; or move it aside to create a new identity ' +
  'on the next start, knowing that every peer will then have to trust this device again.';

export function corrupt(path: string, problem: string): MemCloudError {
  return new MemCloudError(ErrorCodes.IDENTITY_CORRUPT, `Identity file "${path}" is corrupt: ${problem}. ${RECOVERY}`);
}

function unreadable(path: string, problem: string, todo: string, cause?: unknown): MemCloudError {
  return new MemCloudError(ErrorCodes.IDENTITY_UNREADABLE, `Identity file "${path}" cannot be used: ${problem}. ${todo}`, { cause });
}
