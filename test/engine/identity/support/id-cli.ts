// The CLI in process for identity tests: secrets go in on real file descriptors (a temporary file
// opened for reading, as `3<file` would in a shell), and the home's identity file is at hand.

import { openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCliInProcess, type CliResult } from '../../../support/cli-in-process';

let n = 0;

/** An open descriptor from which `secret` can be read, once. */
export function secretFd(dir: string, secret: string): string {
  const path = join(dir, `secret-${process.pid}-${n++}`);
  writeFileSync(path, secret, { mode: 0o600 });
  return String(openSync(path, 'r'));
}

export async function idCli(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return runCliInProcess(args, env);
}

export function identityFile(home: string): { raw: Buffer; json: Record<string, unknown> & { protection?: Record<string, unknown> } } {
  const raw = readFileSync(join(home, 'identity_key'));
  return { raw, json: JSON.parse(raw.toString('utf8')) };
}

/** Every spelling of a secret that must not appear in a file or an output. */
export function spellings(secret: Uint8Array): string[] {
  const b = Buffer.from(secret);
  return [b.toString('base64url'), b.toString('base64'), b.toString('hex')];
}
