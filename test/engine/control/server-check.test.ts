// Local clients check who serves the control socket before connecting: the home and the socket must
// be what this user's node makes (a private directory, not a link; a socket, not a link, ours, not
// writable by others). Each refusal is shown against a live server that would have answered, and
// that server never sees the connection. The uid cases give files to another user, so they need
// root (CI runs as root).

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, chown, mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ControlServer } from '../../../engine/control/control-server';
import { MemCloud } from '../../../engine/sdk';
import { NodeConnection, type ConnectionState } from '../../../extension/node/node-connection';
import { realNodeConnectionDeps } from '../../../extension/node/real-deps';
import { FakeEngine } from '../../support/fake-engine';
import { withTempDir } from '../../support/temp';

const NEEDS_ROOT = 'this test gives a file to another user, which needs root (CI runs as root)';

/** A live server in a private home `dir/home`; `fn` gets its home and socket path. */
async function withLiveHome(dir: string, fn: (home: string, socket: string, server: ControlServer) => Promise<void>): Promise<void> {
  const home = join(dir, 'home');
  await mkdir(home, { mode: 0o700 });
  const socket = join(home, 'control.sock');
  const server = await ControlServer.listen({ path: socket, api: new FakeEngine() });
  try {
    const ok = await MemCloud.connect({ home });
    assert.equal((await ok.status()).name, 'laptop', 'the untouched home is served');
    await ok.close();
    await fn(home, socket, server);
  } finally {
    await server.close();
  }
}

async function refused(opts: { home?: string; path?: string }, pattern: RegExp, server: ControlServer): Promise<void> {
  const before = server.clientCount;
  await assert.rejects(MemCloud.connect(opts), (err: unknown) => {
    assert.equal((err as { code?: string }).code, 'HOME_UNUSABLE', String(err));
    assert.match((err as Error).message, pattern);
    return true;
  });
  assert.equal(server.clientCount, before, 'the server never saw a connection');
}

describe('clients refuse a control socket this user did not make', () => {
  test('a home that group or others can reach', async () => {
    await withTempDir((dir) =>
      withLiveHome(dir, async (home, _socket, server) => {
        for (const mode of [0o770, 0o755, 0o707]) {
          await chmod(home, mode);
          await refused({ home }, new RegExp(`Refusing to talk to the node of .*its mode is 0${mode.toString(8)}`), server);
        }
        await chmod(home, 0o700);
      }),
    );
  });

  test('a symlinked home', async () => {
    await withTempDir((dir) =>
      withLiveHome(dir, async (home, _socket, server) => {
        const link = join(dir, 'link');
        await symlink(home, link);
        await refused({ home: link }, /is a symbolic link/, server);
        await refused({ path: join(link, 'control.sock') }, /is a symbolic link/, server);
      }),
    );
  });

  test('a socket that is a symlink (to a live node of ours elsewhere)', async () => {
    await withTempDir((dir) =>
      withLiveHome(dir, async (_home, socket, server) => {
        const other = join(dir, 'other');
        await mkdir(other, { mode: 0o700 });
        await symlink(socket, join(other, 'control.sock'));
        await refused({ home: other }, /control\.sock: it is a symbolic link/, server);
      }),
    );
  });

  test('a socket others may write to, and a file that is not a socket', async () => {
    await withTempDir((dir) =>
      withLiveHome(dir, async (home, socket, server) => {
        await chmod(socket, 0o666);
        await refused({ home }, /its mode is 0666: others may write to it/, server);
        await chmod(socket, 0o600);
        const other = join(dir, 'plain');
        await mkdir(other, { mode: 0o700 });
        await writeFile(join(other, 'control.sock'), 'not a socket');
        await assert.rejects(MemCloud.connect({ home: other }), /it is not a socket/);
      }),
    );
  });

  test('a home owned by another uid', async () => {
    assert.equal(process.getuid?.(), 0, NEEDS_ROOT);
    await withTempDir((dir) =>
      withLiveHome(dir, async (home, _socket, server) => {
        await chown(home, 4321, 4321);
        await refused({ home }, /owned by uid 4321, not by you \(uid 0\)/, server);
        await chown(home, 0, 0);
      }),
    );
  });

  test('a socket owned by another uid', async () => {
    assert.equal(process.getuid?.(), 0, NEEDS_ROOT);
    await withTempDir((dir) =>
      withLiveHome(dir, async (home, socket, server) => {
        await chown(socket, 4321, 4321);
        await refused({ home }, /belongs to uid 4321, not to you \(uid 0\): another user's program serves it/, server);
      }),
    );
  });

  test('no home or no socket is simply no node running', async () => {
    await withTempDir(async (dir) => {
      await assert.rejects(MemCloud.connect({ home: join(dir, 'absent') }), { code: 'NODE_NOT_RUNNING' });
      const empty = join(dir, 'empty');
      await mkdir(empty, { mode: 0o700 });
      await assert.rejects(MemCloud.connect({ home: empty }), { code: 'NODE_NOT_RUNNING' });
    });
  });

  test('VS Code (NodeConnection with its real client) reports the refusal and starts no node of its own', async () => {
    await withTempDir((dir) =>
      withLiveHome(dir, async (home, _socket, server) => {
        await chmod(home, 0o750);
        const link = new NodeConnection(home, true, realNodeConnectionDeps(() => ({ home, autoStart: true, engine: { host: '127.0.0.1', port: 0, discovery: false } })));
        const states: ConnectionState[] = [];
        link.on('state', (s) => states.push(s));
        try {
          await link.attach();
          assert.equal(link.state.kind, 'failed');
          const { error } = link.state as Extract<ConnectionState, { kind: 'failed' }>;
          assert.equal(error.code, 'HOME_UNUSABLE');
          assert.match(error.message, /its mode is 0750/);
          assert.equal(link.hosting, false);
          assert.equal(server.clientCount, 0);
        } finally {
          await link.dispose();
          await chmod(home, 0o700);
        }
      }),
    );
  });
});
