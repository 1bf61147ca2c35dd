// Temporary directories and MemCloud homes for tests: fresh directories under os.tmpdir(), removed afterwards.

import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A new empty parent directory; the home itself is `join(parent, 'home')`, not yet created. */
export async function makeTempParent(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'memcloud-test-'));
}

export async function removeTemp(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/** Runs `fn` with a not-yet-created home path inside a fresh temp directory, then cleans up. */
export async function withTempHome<T>(fn: (home: string) => Promise<T>): Promise<T> {
  const parent = await makeTempParent();
  try {
    return await fn(join(parent, 'home'));
  } finally {
    await removeTemp(parent);
  }
}

/** Names of leftover temp files (as written by writeFileAtomic) in `dir`. */
export async function tempFilesIn(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((name) => name.endsWith('.tmp'));
}

/** A fresh 0700 directory (mkdtemp's mode), removed afterwards. */
export async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'mc-ctl-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
