// Where the home directory is, and making sure it is private to this user before anything
// secret goes into it.

import { lstat, mkdir, open } from 'node:fs/promises';
import { constants, type Stats } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { ErrorCodes, MemCloudError } from '../errors';
import { describe, errnoCode } from './fs-errors';
import { currentUid, privateDirProblem } from './private-dir';

export const HOME_ENV_VAR = 'MEMCLOUD_HOME';
export const DEFAULT_HOME_DIR_NAME = '.memcloud';

/** POSIX permission bits matter here; on Windows they are not meaningful and are not checked. */
export const checksPosixPermissions = process.platform !== 'win32';

export interface ResolveHomeOptions {
  readonly home?: string;
  readonly env?: NodeJS.ProcessEnv;
}

/** Explicit option, then $MEMCLOUD_HOME, then ~/.memcloud. Always absolute. */
export function resolveHome(opts: ResolveHomeOptions = {}): string {
  const env = opts.env ?? process.env;
  const chosen = nonEmpty(opts.home) ?? nonEmpty(env[HOME_ENV_VAR]);
  if (chosen === undefined) return join(homedir(), DEFAULT_HOME_DIR_NAME);
  return resolve(expandTilde(chosen));
}

function nonEmpty(s: string | undefined): string | undefined {
  return s !== undefined && s.trim() !== '' ? s.trim() : undefined;
}

// Settings UIs and .env files do not expand `~`, so a literal `~/x` would otherwise become `./~/x`.
function expandTilde(p: string): string {
  if (p === '~') return homedir();
  if (p.startsWith('~/') || p.startsWith('~\\')) return join(homedir(), p.slice(2));
  return p;
}

/**
 * Create the home (0700) if missing, or check the one that is there: a directory (never a symbolic
 * link) owned by this user with no group or other permission bits. An existing home is never
 * chmod'ed (it may not be ours to change); one we just created gets exactly 0700 whatever the umask.
 */
export async function ensureHome(dir: string): Promise<void> {
  if (!isAbsolute(dir)) {
    throw new MemCloudError(ErrorCodes.HOME_UNUSABLE, `MemCloud home "${dir}" must be an absolute path.`);
  }
  let st = await lstatOrUndefined(dir);
  if (st === undefined) {
    let created: string | undefined;
    try {
      created = await mkdir(dir, { recursive: true, mode: 0o700 });
    } catch (err) {
      throw unusable(dir, `it could not be created (${describe(err)})`, 'Check that its parent directory is writable, or choose another home with MEMCLOUD_HOME.', err);
    }
    // undefined: another process created it first, so it is checked like any existing home.
    if (created !== undefined && checksPosixPermissions) await tightenCreated(dir);
    st = await lstatOrUndefined(dir);
    if (st === undefined) throw unusable(dir, 'it disappeared right after being created', 'Try again.');
  }
  const problem = privateDirProblem(st, checksPosixPermissions ? currentUid() : undefined, dir);
  if (problem !== undefined) throw new MemCloudError(ErrorCodes.HOME_UNUSABLE, `MemCloud home "${dir}" is unusable: ${problem}.`);
  if (checksPosixPermissions && (st.mode & 0o700) !== 0o700) {
    throw unusable(dir, `its mode is 0${(st.mode & 0o777).toString(8)}, so you cannot write in it`, `Run: chmod 700 "${dir}"`);
  }
}

/** Our new directory, through a handle that does not follow links: exactly 0700 (a umask may have cut our own bits). */
async function tightenCreated(dir: string): Promise<void> {
  let fh;
  try {
    fh = await open(dir, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW);
  } catch (err) {
    throw unusable(dir, `it could not be opened right after being created (${describe(err)})`, 'Try again.', err);
  }
  try {
    if (((await fh.stat()).mode & 0o777) !== 0o700) await fh.chmod(0o700);
  } finally {
    await fh.close();
  }
}

async function lstatOrUndefined(p: string): Promise<Stats | undefined> {
  try {
    return await lstat(p);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return undefined;
    throw unusable(p, `it could not be inspected (${describe(err)})`, 'Check its permissions, or choose another home with MEMCLOUD_HOME.', err);
  }
}

function unusable(dir: string, problem: string, todo: string, cause?: unknown): MemCloudError {
  return new MemCloudError(ErrorCodes.HOME_UNUSABLE, `MemCloud home "${dir}" is unusable: ${problem}. ${todo}`, { cause });
}
