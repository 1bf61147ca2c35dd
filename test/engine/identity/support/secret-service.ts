// A real Secret Service for tests: a private D-Bus session bus (dbus-run-session) with
// gnome-keyring-daemon serving org.freedesktop.secrets, its keyrings in a temporary XDG data
// folder. Unlocked with a password on start, or left locked to test a locked keyring.
// Nothing here touches the machine's own session or keyrings.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

export interface SecretService {
  /** The environment a client needs: DBUS_SESSION_BUS_ADDRESS and the XDG folders. */
  readonly env: NodeJS.ProcessEnv;
  /** Item attributes -> whether an item with them exists (locked ones count). */
  hasItem(item: string): boolean;
  stop(): Promise<void>;
}

// The child prints the bus address once the keyring runs, then waits for its stdin to close.
const SESSION_SCRIPT = [
  'if [ "$KEYRING_UNLOCK" = 1 ]; then printf %s "$KEYRING_PASSWORD" | gnome-keyring-daemon --unlock --components=secrets >/dev/null;',
  'else gnome-keyring-daemon --start --components=secrets >/dev/null; fi',
  'echo "BUS=$DBUS_SESSION_BUS_ADDRESS"',
  'cat >/dev/null',
].join('\n');

/** Starts a session bus and keyring whose data lives in `dir` (reuse a dir to reopen the same keyring). */
export async function startSecretService(dir: string, opts: { readonly unlock: boolean } = { unlock: true }): Promise<SecretService> {
  const xdg = { XDG_DATA_HOME: join(dir, 'data'), XDG_RUNTIME_DIR: join(dir, 'run'), XDG_CONFIG_HOME: join(dir, 'config'), XDG_CACHE_HOME: join(dir, 'cache'), HOME: join(dir, 'home') };
  for (const d of Object.values(xdg)) mkdirSync(d, { recursive: true, mode: 0o700 });
  const base: NodeJS.ProcessEnv = { PATH: process.env.PATH, ...xdg };
  const child: ChildProcess = spawn('dbus-run-session', ['--', 'sh', '-c', SESSION_SCRIPT], {
    env: { ...base, KEYRING_UNLOCK: opts.unlock ? '1' : '0', KEYRING_PASSWORD: 'keyring-test-password' },
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  });
  const address = await new Promise<string>((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`no session bus within 20 s: ${err}`)), 20_000);
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /BUS=(\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`dbus-run-session exited with ${code}: ${err}`));
    });
  });
  const env = { ...base, DBUS_SESSION_BUS_ADDRESS: address };
  return {
    env,
    hasItem(item) {
      const r = spawnSync('secret-tool', ['search', 'application', 'memcloud', 'memcloud-item', item], { env, encoding: 'utf8', timeout: 20_000 });
      return /\[\/[^\]]*\]/.test(r.stdout) || /locked/.test(r.stderr);
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.stdin!.end(); // the shell exits, dbus-run-session ends the bus, the keyring daemon follows
        setTimeout(() => {
          try {
            process.kill(-child.pid!, 'SIGKILL'); // the group we started (detached): never anyone else's
          } catch {
            // already gone
          }
        }, 5000).unref();
      }),
  };
}
