// `memcloud --version`: the version of the package this CLI came from, read from its package.json
// (beside dist/ when installed, two folders up when run from the sources).

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export function packageVersion(): string {
  let dir = __dirname;
  for (let up = 0; up < 3; up++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === 'memcloud' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // not here: one folder up
    }
    dir = dirname(dir);
  }
  return 'unknown';
}
