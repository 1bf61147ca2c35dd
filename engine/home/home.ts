// Where the home directory is, and making sure it is private to this user before anything
// secret goes into it.

import { chmod, mkdir, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { ErrorCodes, MemCloudError } from '../errors';
import { describe, errnoCode } from './fs-errors';

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
 * Create the home (0700) if missing; tighten its mode to 0700 if we own it; refuse it if it is
 * not a directory or belongs to someone else.
 */
export async function ensureHome(dir: string): Promise<void> {
  if (!isAbsolute(dir)) {
    throw new MemCloudError(ErrorCodes.HOME_UNUSABLE, `MemCloud home "${dir}" must be an absolute path.`);
  }
  let st = await statOrUndefined(dir);
  if (st === undefined) {
    try {
      await mkdir(dir, { recursive: true, mode: 0o700 });
    } catch (err) {
      throw unusable(dir, `it could not be created (${describe(err)})`, 'Check that its parent directory is writable, or choose another home with MEMCLOUD_HOME.', err);
    }
    st = await statOrUndefined(dir);
    if (st === undefined) throw unusable(dir, 'it disappeared right after being created', 'Try again.');
  }
  if (!st.isDirectory()) {
    throw unusable(dir, 'it exists but is not a directory', 'Move that file aside, or choose another home with MEMCLOUD_HOME.');
  }
  if (!checksPosixPermissions) return;
  const uid = process.getuid?.();
  if (uid !== undefined && st.uid !== uid) {
    throw unusable(
      dir,
      `it is owned by uid ${st.uid}, not by you (uid ${uid})`,
      'Run MemCloud as the owner of that directory, or choose another home with MEMCLOUD_HOME.',
    );
  }
  // Also covers a umask that stripped our own bits when mkdir created it.
  if ((st.mode & 0o777) !== 0o700) {
    try {
      await chmod(dir, 0o700);
    } catch (err) {
      throw unusable(dir, `its permissions could not be set to 0700 (${describe(err)})`, `Run: chmod 700 "${dir}"`, err);
    }
  }
}

async function statOrUndefined(p: string): Promise<Stats | undefined> {
  try {
    return await stat(p);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return undefined;
    throw unusable(p, `it could not be inspected (${describe(err)})`, 'Check its permissions, or choose another home with MEMCLOUD_HOME.', err);
  }
}

function unusable(dir: string, problem: string, todo: string, cause?: unknown): MemCloudError {
  return new MemCloudError(ErrorCodes.HOME_UNUSABLE, `MemCloud home "${dir}" is unusable: ${problem}. ${todo}`, { cause });
}
