// Homes for real node processes (node-process.ts), driven through the CLI: JSON output and homes
// that trust each other by name.

import { join } from 'node:path';
import { cli } from './node-process';

/** A CLI command's --json output. */
export function cliJson<T>(home: string, args: readonly string[]): T {
  return JSON.parse(cli(home, [...args, '--json'])) as T;
}

/** Homes under `root` (named `prefix-name`, or `name`) that trust each other, by name. */
export function homesTrustingEachOther(root: string, names: readonly string[], prefix = ''): Record<string, string> {
  const homes = Object.fromEntries(names.map((n) => [n, join(root, prefix ? `${prefix}-${n}` : n)]));
  const keys = Object.fromEntries(names.map((n) => [n, cliJson<{ publicKey: string }>(homes[n]!, ['id']).publicKey]));
  for (const a of names) for (const b of names) if (a !== b) cli(homes[a]!, ['trust', 'add', keys[b]!, '--name', b]);
  return homes;
}
