// A real PKCS#11 token for tests: SoftHSM2 (Debian's softhsm2) with its token store in a
// temporary folder. SoftHSM reads SOFTHSM2_CONF when the library initializes, once per process:
// tests that load the library in-process set it first, node processes get it in their env.

import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const SOFTHSM_MODULE = '/usr/lib/softhsm/libsofthsm2.so';
export const USER_PIN = '4096-user';
export const SO_PIN = '8192-officer';

/** Writes a SoftHSM2 config whose tokens live under `dir`; returns its path (for SOFTHSM2_CONF). */
export function softhsmConfig(dir: string): string {
  mkdirSync(join(dir, 'tokens'), { recursive: true });
  const conf = join(dir, 'softhsm2.conf');
  writeFileSync(conf, `directories.tokendir = ${join(dir, 'tokens')}\nobjectstore.backend = file\nlog.level = ERROR\n`);
  return conf;
}

/** Initializes a new token labelled `label` (in the next free slot) with the test PINs. */
export function initToken(conf: string, label: string): void {
  const r = spawnSync('softhsm2-util', ['--init-token', '--free', '--label', label, '--pin', USER_PIN, '--so-pin', SO_PIN], {
    env: { ...process.env, SOFTHSM2_CONF: conf },
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (r.status !== 0) throw new Error(`softhsm2-util failed (${r.status}): ${r.stderr}${r.error ? String(r.error) : ''}`);
}
