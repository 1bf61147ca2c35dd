// Linux: the Secret Service (org.freedesktop.secrets: GNOME Keyring, KWallet 5.97+, KeePassXC)
// through `secret-tool` from libsecret-tools, the reference client library's own command-line
// front-end. We chose it over speaking D-Bus from JavaScript because libsecret already does what a
// correct client must (the encrypted transfer session, unlock prompts, collection aliases), it is
// packaged everywhere, and its interface is documented in secret-tool(1): `store --label L attr
// value...` reads the secret from stdin, `lookup attr value...` prints it, `clear` removes it,
// `search` lists matching items (locked ones too, without their secrets).
// Items carry the attributes application=memcloud and memcloud-item=<item id>.

import { itemMissing, newItemId, secretFromText, secretText, storeUnavailable, toolMessage, type SecretStore } from './secret-store';
import { runTool, type ToolResult } from './run-tool';

const DESCRIPTION = 'The Secret Service (libsecret) of this session';
const TOOL = 'secret-tool';

function attributes(item: string): string[] {
  return ['application', 'memcloud', 'memcloud-item', item];
}

/** The lines secret-tool itself wrote, without the GTK warnings of a prompter that cannot open. */
function toolLines(stderr: string): string {
  return stderr
    .split('\n')
    .filter((l) => l.startsWith('secret-tool:'))
    .map((l) => l.slice('secret-tool:'.length))
    .join(' ');
}

export class SecretServiceStore implements SecretStore {
  readonly name = 'secret-service' as const;
  readonly description = DESCRIPTION;

  constructor(private readonly env: NodeJS.ProcessEnv) {}

  async put(secret: Uint8Array, label: string): Promise<string> {
    const item = newItemId();
    const r = await this.run(['store', `--label=${label}`, ...attributes(item)], secretText(secret));
    if (r.code !== 0) throw this.failure(r, 'storing the key failed');
    return item;
  }

  async get(item: string): Promise<Uint8Array> {
    const r = await this.run(['lookup', ...attributes(item)]);
    const text = r.stdout.toString('utf8');
    r.stdout.fill(0);
    if (r.code === 0) {
      const secret = secretFromText(text);
      if (!secret) throw itemMissing(DESCRIPTION, item);
      return secret;
    }
    if (toolLines(r.stderr) !== '' || r.timedOut || r.spawnError) throw this.failure(r, 'reading the key failed');
    // lookup says nothing both for a missing item and for one in a keyring it could not unlock.
    const search = await this.run(['search', ...attributes(item)]);
    search.stdout.fill(0);
    if (search.stdout.length > 0 || /locked/i.test(search.stderr)) {
      throw storeUnavailable(DESCRIPTION, 'the keyring that holds the key is locked', 'Unlock it (log in to the desktop session, or open your keyring app and unlock it), then start again.');
    }
    throw itemMissing(DESCRIPTION, item);
  }

  async remove(item: string): Promise<void> {
    const r = await this.run(['clear', ...attributes(item)]);
    if (r.code !== 0 && toolLines(r.stderr) !== '') throw this.failure(r, 'removing the old key failed');
  }

  private run(args: string[], input?: string): Promise<ToolResult> {
    return runTool(TOOL, args, { env: this.env, ...(input === undefined ? {} : { input }) });
  }

  private failure(r: ToolResult, what: string): Error {
    if (r.spawnError === 'ENOENT') {
      return storeUnavailable(DESCRIPTION, 'secret-tool is not installed', 'Install libsecret-tools (Debian, Ubuntu: apt install libsecret-tools; Fedora: dnf install libsecret), or protect the key with --protect passphrase.');
    }
    if (r.timedOut) {
      return storeUnavailable(DESCRIPTION, `${what}: secret-tool did not answer in time (an unlock prompt may be waiting)`, 'Unlock your keyring, then try again.');
    }
    const said = toolMessage(toolLines(r.stderr) || r.stderr || r.spawnError || '');
    if (/locked/i.test(said)) {
      return storeUnavailable(DESCRIPTION, `${what}: the keyring is locked (${said})`, 'Unlock it (log in to the desktop session, or unlock it in your keyring app), then try again.');
    }
    return storeUnavailable(
      DESCRIPTION,
      `${what} (${said})`,
      'Run MemCloud in a session with a running, unlocked Secret Service (GNOME Keyring, KWallet or KeePassXC), or protect the key with --protect passphrase on a machine without one.',
    );
  }
}
