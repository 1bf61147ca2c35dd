// Reading and writing the team files in the home (team.json, team_keys.json): owned by this user,
// not writable (keys: not readable) by others, bounded, UTF-8 JSON, replaced atomically at 0600.
// Any problem is an error naming the file and what to do; nothing here ever rewrites a bad file.

import { parseJsonFile } from '../api/json-file';
import type { Schema } from '../api/schema';
import { ErrorCodes, MemCloudError } from '../errors';
import { FileShapeError, readFileStrict, writeFileAtomic } from '../home/atomic-file';
import { describe } from '../home/fs-errors';
import { checksPosixPermissions } from '../home/home';

export interface PrivateFileSpec {
  readonly path: string;
  /** What the file is, for messages: "Team file", "Team key file". */
  readonly what: string;
  readonly maxBytes: number;
  /** Refuse a file others can read (secrets), not only one others can write. */
  readonly secret: boolean;
  /** What to do when it is corrupt (what losing it means). */
  readonly recovery: string;
}

export function corruptFile(spec: PrivateFileSpec, problem: string): MemCloudError {
  return new MemCloudError(ErrorCodes.TRUST_STORE_CORRUPT, `${spec.what} "${spec.path}" is corrupt: ${problem}. MemCloud has not changed it. ${spec.recovery}`);
}

/** The file's content checked by `schema`, or undefined when there is no file. */
export async function readPrivateJson<T>(spec: PrivateFileSpec, schema: Schema<T>): Promise<T | undefined> {
  let read;
  try {
    read = await readFileStrict(spec.path, { maxBytes: spec.maxBytes });
  } catch (err) {
    if (err instanceof FileShapeError) throw corruptFile(spec, err.message);
    throw new MemCloudError(ErrorCodes.TRUST_STORE_UNREADABLE, `${spec.what} "${spec.path}" could not be read (${describe(err)}). Check its owner and permissions.`, { cause: err });
  }
  if (read === undefined) return undefined;
  if (checksPosixPermissions) {
    const uid = process.getuid?.();
    if (uid !== undefined && read.uid !== uid) {
      throw new MemCloudError(ErrorCodes.TRUST_STORE_UNREADABLE, `${spec.what} "${spec.path}" is owned by uid ${read.uid}, not by you (uid ${uid}). Run MemCloud as its owner.`);
    }
    if ((read.mode & (spec.secret ? 0o077 : 0o022)) !== 0) {
      throw new MemCloudError(ErrorCodes.TRUST_STORE_UNREADABLE, `${spec.what} "${spec.path}" is open to other users (mode ${(read.mode & 0o777).toString(8)}). Run: chmod 600 "${spec.path}"`);
    }
  }
  const content = parseJsonFile(read.data, schema);
  if (typeof content === 'string') throw corruptFile(spec, content);
  return content;
}

export async function writePrivateJson(spec: PrivateFileSpec, value: unknown): Promise<void> {
  try {
    await writeFileAtomic(spec.path, JSON.stringify(value, null, 2) + '\n', 0o600);
  } catch (err) {
    throw new MemCloudError(ErrorCodes.HOME_UNUSABLE, `Could not write ${spec.what.toLowerCase()} "${spec.path}" (${describe(err)}). Check that the MemCloud home is writable and the disk is not full.`, { cause: err });
  }
}
