import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, chown, mkdir, stat, symlink, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ensureHome, resolveHome } from '../../../engine/home/home';
import { HomeFileNames, homePaths } from '../../../engine/home/paths';
import { isMemCloudError } from '../../../engine/errors';
import { withTempHome } from '../../support/temp';

const modeOf = async (p: string): Promise<number> => (await stat(p)).mode & 0o777;

describe('resolveHome', () => {
  test('explicit option wins over the environment', () => {
    assert.equal(resolveHome({ home: '/opt/mc', env: { MEMCLOUD_HOME: '/env/mc' } }), '/opt/mc');
  });

  test('MEMCLOUD_HOME is used when no option is given', () => {
    assert.equal(resolveHome({ env: { MEMCLOUD_HOME: '/env/mc' } }), '/env/mc');
  });

  test('defaults to ~/.memcloud, ignoring an empty variable', () => {
    assert.equal(resolveHome({ env: {} }), join(homedir(), '.memcloud'));
    assert.equal(resolveHome({ env: { MEMCLOUD_HOME: '  ' } }), join(homedir(), '.memcloud'));
  });

  test('relative paths become absolute and ~ is expanded', () => {
    assert.equal(resolveHome({ home: 'rel/mc', env: {} }), join(process.cwd(), 'rel/mc'));
    assert.equal(resolveHome({ env: { MEMCLOUD_HOME: '~/mc' } }), join(homedir(), 'mc'));
  });
});

describe('homePaths', () => {
  test('every file lives directly in the home, under its fixed name', () => {
    const paths = homePaths('/h');
    assert.equal(paths.home, '/h');
    assert.equal(paths.identityKey, '/h/identity_key');
    assert.equal(paths.trustedDevices, '/h/trusted_devices.json');
    for (const [key, name] of Object.entries(HomeFileNames)) {
      assert.equal(paths[key as keyof typeof HomeFileNames], join('/h', name));
    }
    assert.deepEqual(
      Object.values(HomeFileNames).sort(),
      ['buildcache.json', 'buildcache_token', 'config.json', 'control.pipe', 'control.sock', 'data_key', 'identity_key', 'identity_key.lock', 'memcloud-init.gradle', 'node.lock', 'node.log', 'node.pid', 'owner-catalog', 'owner-index.json', 'owner-journal', 'team.json', 'team_keys.json', 'trusted_devices.json'],
    );
  });
});

describe('ensureHome', () => {
  test('creates a missing home (and missing parents) with mode 0700', async () => {
    await withTempHome(async (home) => {
      const nested = join(home, 'a', 'b');
      await ensureHome(nested);
      assert.ok((await stat(nested)).isDirectory());
      assert.equal(await modeOf(nested), 0o700);
    });
  });

  test('refuses an existing home that group or others can reach, and leaves its mode alone', async () => {
    for (const mode of [0o755, 0o770, 0o701]) {
      await withTempHome(async (home) => {
        await mkdir(home);
        await chmod(home, mode);
        await assert.rejects(ensureHome(home), (err) => {
          assert.ok(isMemCloudError(err, 'HOME_UNUSABLE'));
          assert.ok(err.message.includes(`its mode is 0${mode.toString(8)}`), err.message);
          assert.ok(err.message.includes(`Run: chmod 700 "${home}"`), err.message);
          return true;
        });
        assert.equal(await modeOf(home), mode, 'never chmod a directory the node did not create');
      });
    }
  });

  test('refuses an existing home it cannot write in (owner bits missing), without chmod', async () => {
    await withTempHome(async (home) => {
      await mkdir(home);
      await chmod(home, 0o500);
      await assert.rejects(ensureHome(home), /its mode is 0500, so you cannot write in it/);
      assert.equal(await modeOf(home), 0o500);
    });
  });

  test('refuses a symlinked home, even one pointing at a private directory of ours, and leaves the target alone', async () => {
    await withTempHome(async (home) => {
      const real = `${home}-real`;
      await mkdir(real, { mode: 0o700 });
      await symlink(real, home);
      await assert.rejects(ensureHome(home), (err) => {
        assert.ok(isMemCloudError(err, 'HOME_UNUSABLE'));
        assert.match(err.message, /is a symbolic link/);
        return true;
      });
      const open = `${home}-open`;
      await mkdir(open);
      await chmod(open, 0o755);
      const linked = `${home}-link2`;
      await symlink(open, linked);
      await assert.rejects(ensureHome(linked), /symbolic link/);
      assert.equal(await modeOf(open), 0o755, 'the target is not chmod-ed');
    });
  });

  test("refuses a home owned by another uid (as root: a directory chown'ed to uid 4321)", async () => {
    assert.equal(process.getuid?.(), 0, 'this test needs root to give a directory to another user (CI runs as root)');
    await withTempHome(async (home) => {
      await mkdir(home, { mode: 0o700 });
      await chown(home, 4321, 4321);
      await assert.rejects(ensureHome(home), /owned by uid 4321, not by you \(uid 0\)/);
    });
  });

  test('a home it creates is exactly 0700 whatever the umask', async () => {
    await withTempHome(async (home) => {
      const old = process.umask(0o277);
      try {
        await ensureHome(home);
      } finally {
        process.umask(old);
      }
      assert.equal(await modeOf(home), 0o700);
    });
  });

  test('leaves a correct home alone and is idempotent', async () => {
    await withTempHome(async (home) => {
      await ensureHome(home);
      await writeFile(join(home, 'keep'), 'x');
      await ensureHome(home);
      assert.equal(await modeOf(home), 0o700);
      assert.equal((await stat(join(home, 'keep'))).size, 1);
    });
  });

  test('refuses a home that is a file, naming the path and what to do', async () => {
    await withTempHome(async (home) => {
      await writeFile(home, 'not a dir');
      await assert.rejects(ensureHome(home), (err) => {
        assert.ok(isMemCloudError(err, 'HOME_UNUSABLE'));
        assert.match(err.message, /not a directory/);
        assert.ok(err.message.includes(home));
        assert.match(err.message, /MEMCLOUD_HOME/);
        return true;
      });
    });
  });

  test('refuses a relative path', async () => {
    await assert.rejects(ensureHome('relative/home'), (err) => isMemCloudError(err, 'HOME_UNUSABLE'));
  });
});
