// Reading and writing trusted_devices.json: permission checks, size limit, and errors that say
// which file is wrong and what to do about it.

import { ErrorCodes, MemCloudError } from '../errors';
import { FileShapeError, readFileStrict, writeFileAtomic } from '../home/atomic-file';
import { describe } from '../home/fs-errors';
import { checksPosixPermissions } from '../home/home';
import { parseTrustFile, serializeTrustFile, type TrustedDevice } from './trust-file';

const MAX_TRUST_FILE_BYTES = 8 * 1024 * 1024;

export interface TrustFileContent {
  /** The exact bytes read; undefined when there is no file (an empty store). */
  readonly bytes: Buffer | undefined;
  readonly devices: TrustedDevice[];
}

/** Read and validate the file. Throws TRUST_STORE_CORRUPT or TRUST_STORE_UNREADABLE; never modifies it. */
export async function readTrustFile(path: string): Promise<TrustFileContent> {
  let read;
  try {
    read = await readFileStrict(path, { maxBytes: MAX_TRUST_FILE_BYTES });
  } catch (err) {
    if (err instanceof FileShapeError) throw corrupt(path, err.message);
    throw unreadable(path, `it could not be read (${describe(err)})`, 'Check its owner and permissions.', err);
  }
  if (read === undefined) return { bytes: undefined, devices: [] };
  if (checksPosixPermissions) {
    const uid = process.getuid?.();
    if (uid !== undefined && read.uid !== uid) {
      throw unreadable(path, `it is owned by uid ${read.uid}, not by you (uid ${uid})`, 'Run MemCloud as the owner of the file.');
    }
    if ((read.mode & 0o022) !== 0) {
      throw unreadable(path, 'other users can write to it, so they could make this device trust anyone', `Run: chmod 600 "${path}"`);
    }
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(read.data);
  } catch {
    throw corrupt(path, 'it is not UTF-8 text');
  }
  const devices = parseTrustFile(text);
  if (typeof devices === 'string') throw corrupt(path, devices);
  return { bytes: read.data, devices };
}

function corrupt(path: string, problem: string): MemCloudError {
  return new MemCloudError(
    ErrorCodes.TRUST_STORE_CORRUPT,
    `Trust store "${path}" is corrupt: ${problem}. MemCloud has not changed it. Fix it by hand, restore it ` +
      'from a backup, or move it aside to start with no trusted devices (each device must then be trusted again).',
  );
}

function unreadable(path: string, problem: string, todo: string, cause?: unknown): MemCloudError {
  return new MemCloudError(ErrorCodes.TRUST_STORE_UNREADABLE, `Trust store "${path}" cannot be used: ${problem}. ${todo}`, { cause });
}

/** Replace the file atomically (0600). Returns the bytes written. */
export async function writeTrustFile(path: string, devices: Iterable<TrustedDevice>): Promise<Buffer> {
  const bytes = Buffer.from(serializeTrustFile(devices), 'utf8');
  try {
    await writeFileAtomic(path, bytes, 0o600);
  } catch (err) {
    throw new MemCloudError(
      ErrorCodes.HOME_UNUSABLE,
      `Could not write the trust store "${path}" (${describe(err)}). Check that the MemCloud home is writable and the disk is not full.`,
      { cause: err },
    );
  }
  return bytes;
}
