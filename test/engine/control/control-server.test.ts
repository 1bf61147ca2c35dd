import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmod, lstat, mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ControlServer } from '../../../engine/control/control-server';
import { controlEndpoint, controlSocketPath, PIPE_PREFIX, publishControlEndpoint } from '../../../engine/control/socket-path';
import { MemCloud } from '../../../engine/sdk';
import { FakeEngine } from '../../support/fake-engine';
import { withTempDir } from '../../support/temp';

const modeOf = async (p: string): Promise<number> => (await stat(p)).mode & 0o777;

/** Leaves a socket file nobody listens on, as a crashed node would (SIGKILL skips cleanup). */
async function leaveStaleSocket(path: string): Promise<void> {
  const script = `require('net').createServer().listen(${JSON.stringify(path)}, () => process.kill(process.pid, 'SIGKILL'))`;
  const child = spawn(process.execPath, ['-e', script], { stdio: 'ignore' });
  await new Promise((resolve) => child.once('exit', resolve));
  assert.ok((await lstat(path)).isSocket(), 'the stale socket file exists');
}

describe('ControlServer socket file', () => {
  test('the socket has mode 0600 and serves clients; close() removes it and is idempotent', async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, 'control.sock');
      const server = await ControlServer.listen({ path, api: new FakeEngine() });
      assert.equal(await modeOf(path), 0o600);
      assert.deepEqual(await readdir(dir), ['control.sock'], 'bound under a temporary name, then linked into place; nothing else left');
      const mc = await MemCloud.connect({ path });
      assert.equal((await mc.status()).name, 'laptop');
      assert.equal(server.clientCount, 1);
      await Promise.all([server.close(), server.close()]);
      await server.close();
      await assert.rejects(lstat(path), { code: 'ENOENT' });
      await mc.close();
    });
  });

  test('a directory that others can enter is refused', async () => {
    await withTempDir(async (dir) => {
      const open = join(dir, 'open');
      await mkdir(open);
      await chmod(open, 0o755);
      await assert.rejects(ControlServer.listen({ path: join(open, 'control.sock'), api: new FakeEngine() }), (e: unknown) => {
        assert.equal((e as { code?: string }).code, 'HOME_UNUSABLE');
        assert.match((e as Error).message, /0755/);
        return true;
      });
      await assert.rejects(lstat(join(open, 'control.sock')), { code: 'ENOENT' }, 'nothing was created');
    });
  });

  test('a missing directory and a non-socket file at the path are refused', async () => {
    await withTempDir(async (dir) => {
      await assert.rejects(ControlServer.listen({ path: join(dir, 'nope', 'control.sock'), api: new FakeEngine() }), { code: 'HOME_UNUSABLE' });
      const path = join(dir, 'control.sock');
      await writeFile(path, 'not a socket');
      await assert.rejects(ControlServer.listen({ path, api: new FakeEngine() }), { code: 'HOME_UNUSABLE' });
      assert.ok((await lstat(path)).isFile(), 'the file is left alone');
    });
  });

  test('a path too long for a Unix socket is refused with a clear error', async () => {
    await withTempDir(async (dir) => {
      const deep = join(dir, 'd'.repeat(100));
      await mkdir(deep, { mode: 0o700 });
      await assert.rejects(ControlServer.listen({ path: join(deep, 'control.sock'), api: new FakeEngine() }), /longer than 103 bytes/);
    });
  });

  test('a second server on a live path fails with NODE_ALREADY_RUNNING; the first keeps serving', async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, 'control.sock');
      const first = await ControlServer.listen({ path, api: new FakeEngine() });
      try {
        await assert.rejects(ControlServer.listen({ path, api: new FakeEngine() }), { code: 'NODE_ALREADY_RUNNING' });
        const mc = await MemCloud.connect({ path });
        assert.equal((await mc.status()).pid, 4242);
        await mc.close();
      } finally {
        await first.close();
      }
    });
  });

  test('a stale socket file is replaced', async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, 'control.sock');
      await leaveStaleSocket(path);
      await assert.rejects(MemCloud.connect({ path }), { code: 'NODE_NOT_RUNNING' });
      const server = await ControlServer.listen({ path, api: new FakeEngine() });
      try {
        assert.equal(await modeOf(path), 0o600);
        const mc = await MemCloud.connect({ path });
        assert.equal((await mc.status()).name, 'laptop');
        await mc.close();
      } finally {
        await server.close();
      }
    });
  });
});

describe('controlSocketPath', () => {
  test('POSIX: control.sock in the home', () => {
    assert.equal(controlSocketPath('/home/u/.memcloud', 'linux'), '/home/u/.memcloud/control.sock');
    assert.equal(controlSocketPath('/Users/u/.memcloud', 'darwin'), '/Users/u/.memcloud/control.sock');
  });

  test('Windows (logic run here with platform "win32"; pipes themselves cannot be tested on Linux): a random pipe name per node start, published in the home', async () => {
    await withTempDir(async (home) => {
      assert.throws(() => controlSocketPath(home, 'win32'), /random name/);
      await assert.rejects(controlEndpoint(home, 'win32'), { code: 'NODE_NOT_RUNNING' });
      const first = await publishControlEndpoint(home, 'win32');
      assert.match(first, /^\\\\\.\\pipe\\memcloud-[0-9a-f]{32}$/);
      assert.ok(first.startsWith(PIPE_PREFIX));
      assert.equal(await controlEndpoint(home, 'win32'), first);
      assert.equal((await stat(join(home, 'control.pipe'))).mode & 0o777, 0o600);
      const second = await publishControlEndpoint(home, 'win32');
      assert.notEqual(second, first, 'unguessable: new at every start');
      assert.equal(await controlEndpoint(home, 'win32'), second);
      await writeFile(join(home, 'control.pipe'), '\\\\.\\pipe\\someone-elses\n');
      await assert.rejects(controlEndpoint(home, 'win32'), { code: 'HOME_UNUSABLE' });
      assert.equal(await controlEndpoint(home, 'linux'), join(home, 'control.sock'));
    });
  });
});
