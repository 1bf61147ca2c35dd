// Who may use the build-cache endpoint: whoever presents the token kept in the home
// (buildcache_token, 0600, created once atomically). Build tools send it as a bearer token; tools
// that only speak Basic auth (Gradle, URLs with user:password@) send it as the password, with any
// user name. Compared in constant time.

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { ErrorCodes, MemCloudError } from '../errors';
import { createFileExclusive, FileShapeError, readFileStrict } from '../home/atomic-file';
import { describe } from '../home/fs-errors';
import { checksPosixPermissions } from '../home/home';

/** 32 random bytes in base64url: 43 characters, safe in URLs, headers and shell quotes. */
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;
/** Longer credentials are refused before any hashing. */
const MAX_CREDENTIAL_LENGTH = 1024;

/** The token in `path`, created on first use. A damaged or exposed file is refused, never replaced. */
export async function loadOrCreateToken(path: string): Promise<string> {
  const existing = await readToken(path);
  if (existing !== undefined) return existing;
  const token = randomBytes(32).toString('base64url');
  try {
    if (await createFileExclusive(path, `${token}\n`, 0o600)) return token;
  } catch (err) {
    throw new MemCloudError(ErrorCodes.HOME_UNUSABLE, `could not create the build-cache token file ${path} (${describe(err)})`);
  }
  // Another process created it first: use theirs.
  const theirs = await readToken(path);
  if (theirs === undefined) throw new MemCloudError(ErrorCodes.HOME_UNUSABLE, `the build-cache token file ${path} vanished while it was being created`);
  return theirs;
}

async function readToken(path: string): Promise<string | undefined> {
  const refuse = (why: string) =>
    new MemCloudError(ErrorCodes.CONFIG_INVALID, `the build-cache token file ${path} ${why}; delete it to create a new token (build tools then need the new one)`);
  let read;
  try {
    read = await readFileStrict(path, { maxBytes: 256 });
  } catch (err) {
    throw refuse(err instanceof FileShapeError ? err.message : `cannot be read (${describe(err)})`);
  }
  if (read === undefined) return undefined;
  if (checksPosixPermissions && (read.mode & 0o077) !== 0) throw refuse(`is readable by other users (mode ${read.mode.toString(8)})`);
  const text = read.data.toString('utf8').trim();
  if (!TOKEN_PATTERN.test(text)) throw refuse('is damaged');
  return text;
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** The credential in an Authorization header: a bearer token, or the password of Basic auth. */
export function credentialOf(authorization: string | undefined): string | undefined {
  if (authorization === undefined || authorization.length > MAX_CREDENTIAL_LENGTH) return undefined;
  const m = /^([A-Za-z]+) +(\S+) *$/.exec(authorization);
  if (!m) return undefined;
  const scheme = m[1]!.toLowerCase();
  if (scheme === 'bearer') return m[2];
  if (scheme !== 'basic') return undefined;
  const decoded = Buffer.from(m[2]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : decoded.slice(colon + 1);
}

export class TokenCheck {
  private readonly expected: Buffer;

  constructor(token: string) {
    this.expected = digest(token);
  }

  /** True when the header carries the token. Both sides are hashed first: equal lengths, constant time. */
  accepts(authorization: string | undefined): boolean {
    const credential = credentialOf(authorization);
    if (credential === undefined) return false;
    return timingSafeEqual(digest(credential), this.expected);
  }
}
