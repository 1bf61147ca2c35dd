// A switch for tests and diagnostics: MEMCLOUD_CRYPTO_ABSENT=native[,portable] makes this process
// behave as if those backends were missing (native: as in Electron, whose node:crypto has no
// chacha20-poly1305; portable: as where WebAssembly cannot start). Auto-detection honours it, and
// asking for an absent backend by name fails just as it would on such a runtime.

import type { CryptoBackendName } from './backend-name';

export const ABSENT_ENV = 'MEMCLOUD_CRYPTO_ABSENT';

export function backendAbsent(name: CryptoBackendName): boolean {
  const v = process.env[ABSENT_ENV];
  return v !== undefined && v.split(',').some((s) => s.trim() === name);
}
