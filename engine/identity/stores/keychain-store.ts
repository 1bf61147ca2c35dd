// macOS: the login Keychain through /usr/bin/security, as documented in security(1): a generic
// password with service "MemCloud identity" and account <item id>. The secret goes in through
// `security -i` reading its command from stdin, so it never appears in the process list (the
// `-w <password>` argument would). Implemented to the documented interface; not run here (no
// macOS on this project's machines).

import { itemMissing, newItemId, secretFromText, secretText, storeUnavailable, toolMessage, type SecretStore } from './secret-store';
import { runTool, type ToolResult } from './run-tool';

const DESCRIPTION = 'The macOS Keychain';
const TOOL = '/usr/bin/security';
const SERVICE = 'MemCloud identity';
/** security(1) exit status for errSecItemNotFound. */
const NOT_FOUND = 44;

/** A value for security's interactive command line: double quotes, nothing that could escape them. */
function quoted(text: string): string {
  return `"${text.replace(/["\\\n\r]/g, '_')}"`;
}

export class KeychainStore implements SecretStore {
  readonly name = 'keychain' as const;
  readonly description = DESCRIPTION;

  constructor(private readonly env: NodeJS.ProcessEnv) {}

  async put(secret: Uint8Array, label: string): Promise<string> {
    const item = newItemId();
    const command = `add-generic-password -U -a ${quoted(item)} -s ${quoted(SERVICE)} -l ${quoted(label)} -w ${quoted(secretText(secret))}\n`;
    const r = await runTool(TOOL, ['-i'], { env: this.env, input: command });
    if (r.code !== 0 || /error|fail/i.test(r.stderr)) throw this.failure(r, 'storing the key failed');
    return item;
  }

  async get(item: string): Promise<Uint8Array> {
    const r = await runTool(TOOL, ['find-generic-password', '-a', item, '-s', SERVICE, '-w'], { env: this.env });
    const text = r.stdout.toString('utf8');
    r.stdout.fill(0);
    if (r.code === NOT_FOUND) throw itemMissing(DESCRIPTION, item);
    if (r.code !== 0) throw this.failure(r, 'reading the key failed');
    const secret = secretFromText(text);
    if (!secret) throw itemMissing(DESCRIPTION, item);
    return secret;
  }

  async remove(item: string): Promise<void> {
    const r = await runTool(TOOL, ['delete-generic-password', '-a', item, '-s', SERVICE], { env: this.env });
    if (r.code !== 0 && r.code !== NOT_FOUND) throw this.failure(r, 'removing the old key failed');
  }

  private failure(r: ToolResult, what: string): Error {
    if (r.spawnError === 'ENOENT') return storeUnavailable(DESCRIPTION, '/usr/bin/security is missing', 'Protect the key with --protect passphrase instead.');
    if (r.timedOut) return storeUnavailable(DESCRIPTION, `${what}: security did not answer in time`, 'Unlock the login keychain (Keychain Access), then try again.');
    return storeUnavailable(
      DESCRIPTION,
      `${what} (${toolMessage(r.stderr || r.spawnError || `exit status ${r.code}`)})`,
      'Unlock the login keychain (log in, or unlock it in Keychain Access) and allow MemCloud access when asked, then try again.',
    );
  }
}
