// Windows: DPAPI (CryptProtectData, user scope) through PowerShell's
// System.Security.Cryptography.ProtectedData, as documented by Microsoft. DPAPI keeps nothing
// itself: it returns a blob only this Windows user (on this machine, or with a roaming profile) can
// open, and that blob is the "item" the identity file records. Input and output go through
// stdin/stdout as base64. Implemented to the documented API; not run here (no Windows on this
// project's machines).

import { secretFromText, secretText, storeUnavailable, toolMessage, type SecretStore } from './secret-store';
import { runTool, type ToolResult } from './run-tool';

const DESCRIPTION = 'Windows DPAPI (your user account)';
/** Optional entropy: a blob made for MemCloud does not open as some other program's secret. */
const ENTROPY = 'memcloud identity_key v2';

function script(op: 'Protect' | 'Unprotect'): string {
  return [
    '$ErrorActionPreference = "Stop"',
    'Add-Type -AssemblyName System.Security',
    '$in = [Convert]::FromBase64String([Console]::In.ReadToEnd().Trim())',
    `$entropy = [Text.Encoding]::UTF8.GetBytes("${ENTROPY}")`,
    `$out = [Security.Cryptography.ProtectedData]::${op}($in, $entropy, [Security.Cryptography.DataProtectionScope]::CurrentUser)`,
    '[Console]::Out.Write([Convert]::ToBase64String($out))',
  ].join('; ');
}

function powershellArgs(op: 'Protect' | 'Unprotect'): string[] {
  return ['-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-EncodedCommand', Buffer.from(script(op), 'utf16le').toString('base64')];
}

const base64ToUrl = (b64: string): string => Buffer.from(b64.trim(), 'base64').toString('base64url');
const urlToBase64 = (b64url: string): string => Buffer.from(b64url, 'base64url').toString('base64');

export class DpapiStore implements SecretStore {
  readonly name = 'dpapi' as const;
  readonly description = DESCRIPTION;

  constructor(private readonly env: NodeJS.ProcessEnv) {}

  async put(secret: Uint8Array): Promise<string> {
    const input = Buffer.from(secretText(secret), 'base64url').toString('base64');
    const r = await runTool('powershell.exe', powershellArgs('Protect'), { env: this.env, input });
    if (r.code !== 0) throw this.failure(r, 'protecting the key failed');
    return base64ToUrl(r.stdout.toString('utf8'));
  }

  async get(item: string): Promise<Uint8Array> {
    const r = await runTool('powershell.exe', powershellArgs('Unprotect'), { env: this.env, input: urlToBase64(item) });
    const text = base64ToUrl(r.stdout.toString('utf8'));
    r.stdout.fill(0);
    if (r.code !== 0) throw this.failure(r, 'unprotecting the key failed');
    const secret = secretFromText(text);
    if (!secret) throw storeUnavailable(DESCRIPTION, 'it returned something that is not the key', 'Check that you are the Windows user who protected it.');
    return secret;
  }

  async remove(): Promise<void> {
    // The blob lives in the identity file only: replacing the file forgets it.
  }

  private failure(r: ToolResult, what: string): Error {
    if (r.spawnError === 'ENOENT') return storeUnavailable(DESCRIPTION, 'powershell.exe was not found', 'Protect the key with --protect passphrase instead.');
    return storeUnavailable(
      DESCRIPTION,
      `${what} (${toolMessage(r.stderr || r.spawnError || `exit status ${r.code}`)})`,
      'DPAPI opens only for the Windows user who protected the key: run MemCloud as that user, or restore from a backup.',
    );
  }
}
