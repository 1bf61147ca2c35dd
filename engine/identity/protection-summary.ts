// How an identity's key is kept, in words and as data, for `memcloud id`, node status and VS Code.
// Public facts only: never a secret, never the wrapped key.

import type { IdentityRecord, StoreName } from './identity-record';

export type ProtectionSummary =
  | { readonly form: 'plain' }
  | { readonly form: 'os'; readonly store: StoreName; readonly item: string }
  | { readonly form: 'passphrase'; readonly kdf: string }
  | { readonly form: 'pkcs11'; readonly module: string; readonly tokenLabel: string; readonly tokenSerial: string; readonly keyLabel: string };

const STORE_WORDS: Record<StoreName, string> = {
  'secret-service': 'the Secret Service (libsecret)',
  keychain: 'the macOS Keychain',
  dpapi: 'Windows DPAPI',
  'vscode-secret-storage': "VS Code's Secret Storage",
};

export function protectionSummary(record: IdentityRecord): ProtectionSummary {
  switch (record.form) {
    case 'plain':
      return { form: 'plain' };
    case 'os':
      return { form: 'os', store: record.store, item: record.store === 'dpapi' ? '(in the file)' : record.item };
    case 'passphrase':
      return { form: 'passphrase', kdf: `scrypt N=2^${record.kdf.log2N} r=${record.kdf.r} p=${record.kdf.p}` };
    case 'pkcs11': {
      const { module, tokenLabel, tokenSerial, keyLabel } = record.token;
      return { form: 'pkcs11', module, tokenLabel, tokenSerial, keyLabel };
    }
  }
}

export function describeProtection(s: ProtectionSummary): string {
  switch (s.form) {
    case 'plain':
      return 'plain file, unprotected (protect it: memcloud id --protect os|passphrase|pkcs11)';
    case 'os':
      return `wrapped by ${STORE_WORDS[s.store]}${s.store === 'dpapi' ? '' : `, item ${s.item}`}`;
    case 'passphrase':
      return `wrapped with a passphrase (${s.kdf}, ChaCha20-Poly1305)`;
    case 'pkcs11':
      return `on PKCS#11 token "${s.tokenLabel}"${s.tokenSerial ? ` (serial ${s.tokenSerial})` : ''}, key "${s.keyLabel}"; it never leaves the token`;
  }
}
