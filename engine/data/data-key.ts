// The data key: the secret this node seals its blocks with before they leave the machine
// (block-seal.ts). It lives in the home as `data_key` (0600), is created atomically on first use,
// is never sent anywhere, and is never replaced: blocks sealed with it cannot be read without it.
// A file that is missing when the catalog says blocks were sealed, damaged, of another key, or
// readable by others stops the node with an error naming the file (fail closed: a wrong key would
// make every replica look corrupt, and the owner would drop them).
//
// File: magic "MCDATAK1" (8) || keyId:u32 BE (non-zero) || key:32 || crc32 of the 44 bytes before:u32 BE.

import { randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { ErrorCodes, MemCloudError } from '../errors';
import { createFileExclusive, FileShapeError, readFileStrict } from '../home/atomic-file';
import { describe } from '../home/fs-errors';
import { checksPosixPermissions } from '../home/home';

const MAGIC = Buffer.from('MCDATAK1', 'latin1');
const KEY_BYTES = 32;
const FILE_BYTES = MAGIC.length + 4 + KEY_BYTES + 4;

export interface DataKey {
  /** Names the key (kept in the catalog's header and in each sealed block); never 0. */
  readonly id: number;
  readonly key: Uint8Array;
}

/**
 * The data key at `path`. `sealedWith` is the key id the catalog's blocks were sealed with (0:
 * none yet); when there is no file and none was, a new key is created.
 */
export async function openDataKey(path: string, sealedWith: number): Promise<DataKey> {
  const existing = await readDataKey(path);
  if (existing) {
    if (sealedWith !== 0 && existing.id !== sealedWith) {
      throw unusable(path, `it holds data key ${hex(existing.id)}, but this node's blocks were sealed with key ${hex(sealedWith)}`);
    }
    return existing;
  }
  if (sealedWith !== 0) {
    throw unusable(path, `it is missing, and this node's blocks were sealed with data key ${hex(sealedWith)}: restore the file from a backup (without it they cannot be read)`);
  }
  let id = 0;
  while (id === 0) id = randomBytes(4).readUInt32BE(0);
  const created: DataKey = { id, key: randomBytes(KEY_BYTES) };
  try {
    if (await createFileExclusive(path, encode(created), 0o600)) return created;
  } catch (err) {
    throw new MemCloudError(ErrorCodes.HOME_UNUSABLE, `cannot create the data key file ${path} (${describe(err)})`, { cause: err });
  }
  // Another process made one between our read and our create (the node lock makes this rare).
  const theirs = await readDataKey(path);
  if (!theirs) throw unusable(path, 'it vanished right after it was created');
  return theirs;
}

async function readDataKey(path: string): Promise<DataKey | undefined> {
  let read;
  try {
    read = await readFileStrict(path, { maxBytes: FILE_BYTES });
  } catch (err) {
    throw unusable(path, err instanceof FileShapeError ? err.message : describe(err));
  }
  if (!read) return undefined;
  if (checksPosixPermissions && (read.mode & 0o077) !== 0) {
    throw unusable(path, `it is readable by others (mode ${(read.mode & 0o777).toString(8)}): run chmod 600 on it`);
  }
  return decode(read.data, path);
}

function encode(k: DataKey): Buffer {
  const b = Buffer.alloc(FILE_BYTES);
  MAGIC.copy(b, 0);
  b.writeUInt32BE(k.id, 8);
  b.set(k.key, 12);
  b.writeUInt32BE(crc32(b.subarray(0, FILE_BYTES - 4)), FILE_BYTES - 4);
  return b;
}

function decode(b: Buffer, path: string): DataKey {
  if (b.length !== FILE_BYTES || !b.subarray(0, MAGIC.length).equals(MAGIC)) throw unusable(path, 'it is not a MemCloud data key file');
  if (crc32(b.subarray(0, FILE_BYTES - 4)) !== b.readUInt32BE(FILE_BYTES - 4)) throw unusable(path, 'it is damaged (checksum mismatch)');
  const id = b.readUInt32BE(8);
  if (id === 0) throw unusable(path, 'it is damaged (key id 0)');
  return { id, key: new Uint8Array(b.subarray(12, 12 + KEY_BYTES)) };
}

function unusable(path: string, why: string): MemCloudError {
  return new MemCloudError(ErrorCodes.HOME_UNUSABLE, `the data key file ${path} cannot be used: ${why}`);
}

function hex(id: number): string {
  return id.toString(16).padStart(8, '0');
}
