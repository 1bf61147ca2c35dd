// Where a bundled file (dist/*.js) lives: beside this code when it runs bundled from dist/, or in
// <package root>/dist when it runs from source (tests under tsx).

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ErrorCodes, MemCloudError } from '../errors';

export function bundledFile(name: string): string {
  const beside = path.join(__dirname, name);
  if (existsSync(beside)) return beside;
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest) && readPackageName(manifest) === 'memcloud') return path.join(dir, 'dist', name);
    if (path.dirname(dir) === dir) return beside; // no package root: report the bundled location
  }
}

/** bundledFile() that must exist, with the fix in the message when it does not. */
export function requireBundledFile(name: string): string {
  const file = bundledFile(name);
  if (!existsSync(file)) {
    throw new MemCloudError(ErrorCodes.INTERNAL, `${file} is missing: run \`npm run build\` first`);
  }
  return file;
}

function readPackageName(manifest: string): unknown {
  try {
    return (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name;
  } catch {
    return undefined;
  }
}
