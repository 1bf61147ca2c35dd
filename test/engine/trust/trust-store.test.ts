import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ed25519 } from '@noble/curves/ed25519.js';
import { TrustStore } from '../../../engine/trust/trust-store';
import type { TrustChange } from '../../../engine/trust/trust-changes';
import { isMemCloudError } from '../../../engine/errors';
import { ensureHome } from '../../../engine/home/home';
import { tempFilesIn, withTempHome } from '../../support/temp';

const newKey = (): Uint8Array => ed25519.getPublicKey(ed25519.utils.randomSecretKey());
const text = (pk: Uint8Array): string => Buffer.from(pk).toString('base64url');
const trustPath = (home: string): string => join(home, 'trusted_devices.json');
const readJson = async (home: string): Promise<{ version: number; devices: Array<Record<string, unknown>> }> =>
  JSON.parse(await readFile(trustPath(home), 'utf8'));

/** Open a store, run `fn`, and always close it. */
async function withStore(home: string, fn: (store: TrustStore, changes: TrustChange[]) => Promise<void>): Promise<void> {
  const store = await TrustStore.open(home);
  const changes: TrustChange[] = [];
  store.onChange((c) => changes.push(c));
  try {
    await fn(store, changes);
  } finally {
    await store.close();
  }
}

/** Another process's edit: write the file directly, the way the CLI would. */
async function writeExternally(home: string, content: unknown): Promise<void> {
  await writeFile(trustPath(home), typeof content === 'string' ? content : JSON.stringify(content), { mode: 0o600 });
}

describe('TrustStore', () => {
  test('a missing file is an empty store, and nothing is written until a change', async () => {
    await withTempHome(async (home) => {
      await withStore(home, async (store) => {
        assert.deepEqual(store.list(), []);
        assert.equal(store.isTrusted(newKey()), false);
      });
      await assert.rejects(stat(trustPath(home)), { code: 'ENOENT' });
    });
  });

  test('round trip: what is trusted is on disk (0600, schema v1) and reloads identically', async () => {
    await withTempHome(async (home) => {
      const a = newKey();
      const b = newKey();
      await withStore(home, async (store) => {
        const dev = await store.trust(a, { name: 'desktop', approval: 'cli' });
        assert.equal(dev.status, 'trusted');
        assert.equal(dev.firstSeen, dev.lastSeen);
        await store.trust(b, { name: 'laptop', approval: 'consent-always' });
        await store.setAllowedBytes(b, 1 << 30);
      });
      assert.equal((await stat(trustPath(home))).mode & 0o777, 0o600);
      assert.deepEqual(await tempFilesIn(home), []);
      const file = await readJson(home);
      assert.equal(file.version, 1);
      assert.deepEqual(file.devices.map((d) => [d.publicKey, d.name, d.approval, d.status, d.allowedBytes]), [
        [text(a), 'desktop', 'cli', 'trusted', undefined],
        [text(b), 'laptop', 'consent-always', 'trusted', 1 << 30],
      ]);
      const first = await TrustStore.open(home);
      const again = await TrustStore.open(home);
      assert.deepEqual(again.list(), first.list());
      assert.equal(again.isTrusted(a), true);
      assert.equal(again.get(b)?.allowedBytes, 1 << 30);
      await Promise.all([first.close(), again.close()]);
    });
  });

  test('revoke keeps the entry, marked revoked; re-trusting clears it and keeps firstSeen', async () => {
    await withTempHome(async (home) => {
      const a = newKey();
      await withStore(home, async (store) => {
        const trusted = await store.trust(a, { name: 'desktop', approval: 'cli' });
        const revoked = await store.revoke(a);
        assert.equal(revoked.status, 'revoked');
        assert.ok(revoked.revokedAt !== undefined);
        assert.equal(store.isRevoked(a), true);
        assert.equal(store.isTrusted(a), false);
        assert.equal(store.list().length, 1);
        const onDisk = (await readJson(home)).devices[0]!;
        assert.equal(onDisk.status, 'revoked');
        assert.equal(onDisk.revokedAt, revoked.revokedAt);

        const back = await store.trust(a, { name: 'desktop again', approval: 'extension' });
        assert.equal(back.status, 'trusted');
        assert.equal(back.revokedAt, undefined);
        assert.equal(back.firstSeen, trusted.firstSeen);
        assert.equal(back.name, 'desktop again');
        assert.equal('revokedAt' in (await readJson(home)).devices[0]!, false);
      });
    });
  });

  test('forget, rename and setAllowedBytes', async () => {
    await withTempHome(async (home) => {
      const a = newKey();
      const b = newKey();
      await withStore(home, async (store) => {
        await store.trust(a, { name: 'one', approval: 'cli' });
        await store.trust(b, { name: 'two', approval: 'cli' });
        assert.equal((await store.rename(a, 'renamed')).name, 'renamed');
        assert.equal((await store.setAllowedBytes(a, 0)).allowedBytes, 0);
        assert.equal((await store.setAllowedBytes(a, undefined)).allowedBytes, undefined);
        assert.equal(await store.forget(b), true);
        assert.equal(await store.forget(b), false);
        assert.equal(store.get(b), undefined);
      });
      const file = await readJson(home);
      assert.deepEqual(file.devices.map((d) => d.name), ['renamed']);
      assert.equal('allowedBytes' in file.devices[0]!, false);
    });
  });

  test('events fire for each kind of change, and not for no-ops', async () => {
    await withTempHome(async (home) => {
      const a = newKey();
      await withStore(home, async (store, changes) => {
        await store.trust(a, { name: 'one', approval: 'cli' });
        await store.rename(a, 'two');
        await store.revoke(a);
        await store.revoke(a); // already revoked: no event
        await store.trust(a, { name: 'two', approval: 'cli' });
        await store.forget(a);
        const k = text(a);
        assert.deepEqual(changes, [
          { kind: 'trusted', publicKey: k },
          { kind: 'updated', publicKey: k },
          { kind: 'revoked', publicKey: k },
          { kind: 'trusted', publicKey: k },
          { kind: 'forgotten', publicKey: k },
        ]);
      });
    });
  });

  test('unsubscribed listeners stop receiving events', async () => {
    await withTempHome(async (home) => {
      await withStore(home, async (store) => {
        const seen: TrustChange[] = [];
        const off = store.onChange((c) => seen.push(c));
        await store.trust(newKey(), { name: 'one', approval: 'cli' });
        off();
        await store.trust(newKey(), { name: 'two', approval: 'cli' });
        assert.equal(seen.length, 1);
      });
    });
  });

  test('invalid arguments are refused with clear codes', async () => {
    await withTempHome(async (home) => {
      await withStore(home, async (store) => {
        const a = newKey();
        await assert.rejects(store.trust(a, { name: '', approval: 'cli' }), (e) => isMemCloudError(e, 'BAD_ARGUMENT'));
        await assert.rejects(store.trust(a, { name: 'x\u0000', approval: 'cli' }), (e) => isMemCloudError(e, 'BAD_ARGUMENT'));
        await assert.rejects(store.trust(a, { name: 'x', approval: 'nope' as 'cli' }), (e) => isMemCloudError(e, 'BAD_ARGUMENT'));
        await assert.rejects(store.trust(new Uint8Array(32), { name: 'x', approval: 'cli' }), (e) => isMemCloudError(e, 'BAD_ARGUMENT'));
        await assert.rejects(store.revoke(a), (e) => isMemCloudError(e, 'PEER_NOT_FOUND'));
        await assert.rejects(store.rename(a, 'x'), (e) => isMemCloudError(e, 'PEER_NOT_FOUND'));
        await store.trust(a, { name: 'ok', approval: 'cli' });
        await assert.rejects(store.setAllowedBytes(a, -5), (e) => isMemCloudError(e, 'BAD_ARGUMENT'));
        await assert.rejects(store.rename(a, 'y'.repeat(65)), (e) => isMemCloudError(e, 'BAD_ARGUMENT'));
        assert.equal(store.get(a)?.name, 'ok');
        assert.equal(store.get(new Uint8Array(5)), undefined);
      });
    });
  });

  test('concurrent changes are all written, with no interleaving', async () => {
    await withTempHome(async (home) => {
      const keys = Array.from({ length: 25 }, newKey);
      await withStore(home, async (store) => {
        await Promise.all(keys.map((k, i) => store.trust(k, { name: `device ${i}`, approval: 'cli' })));
        await Promise.all(keys.slice(0, 10).map((k) => store.revoke(k)));
      });
      const file = await readJson(home);
      assert.equal(file.devices.length, 25);
      assert.equal(file.devices.filter((d) => d.status === 'revoked').length, 10);
      assert.deepEqual(await tempFilesIn(home), []);
    });
  });

  test('touch updates lastSeen, never backwards, and close() writes the final value', async () => {
    await withTempHome(async (home) => {
      const a = newKey();
      const store = await TrustStore.open(home);
      const dev = await store.trust(a, { name: 'one', approval: 'cli' });
      const base = Date.parse(dev.lastSeen);
      for (let i = 1; i <= 50; i++) store.touch(a, new Date(base + i * 1000));
      store.touch(a, new Date(base + 10_000)); // older than the latest: ignored
      store.touch(newKey(), new Date(base + 99_000)); // unknown device: ignored
      assert.equal(store.get(a)?.lastSeen, new Date(base + 50_000).toISOString());
      await store.close();
      await store.close(); // idempotent
      assert.equal((await readJson(home)).devices[0]!.lastSeen, new Date(base + 50_000).toISOString());
      assert.equal((await readJson(home)).devices.length, 1);
    });
  });

  test('a closed store refuses changes', async () => {
    await withTempHome(async (home) => {
      const store = await TrustStore.open(home);
      await store.close();
      await assert.rejects(store.trust(newKey(), { name: 'x', approval: 'cli' }), (e) => isMemCloudError(e, 'INTERNAL'));
    });
  });

  test('a corrupt file gives a clear error naming the file, and is left untouched', async () => {
    await withTempHome(async (home) => {
      await ensureHome(home);
      const content = '{"version":1,"devices":[{"publicKey":"nope"}]}';
      await writeExternally(home, content);
      await assert.rejects(TrustStore.open(home), (err) => {
        assert.ok(isMemCloudError(err, 'TRUST_STORE_CORRUPT'));
        assert.ok(err.message.includes(trustPath(home)));
        assert.match(err.message, /devices\[0\].*publicKey/);
        assert.match(err.message, /not changed it.*backup.*move it aside/s);
        return true;
      });
      assert.equal(await readFile(trustPath(home), 'utf8'), content);
    });
  });

  test('a file other users can write is refused', async () => {
    await withTempHome(async (home) => {
      await ensureHome(home);
      await writeExternally(home, { version: 1, devices: [] });
      await chmod(trustPath(home), 0o666);
      await assert.rejects(TrustStore.open(home), (err) => isMemCloudError(err, 'TRUST_STORE_UNREADABLE') && /chmod 600/.test(err.message));
      assert.equal((await stat(trustPath(home))).mode & 0o777, 0o666);
    });
  });

  test('reloadFromDisk applies another process\'s valid edit and emits the matching events', async () => {
    await withTempHome(async (home) => {
      const [a, b, c, d] = [newKey(), newKey(), newKey(), newKey()];
      await withStore(home, async (store, changes) => {
        await store.trust(a, { name: 'a', approval: 'cli' });
        await store.trust(b, { name: 'b', approval: 'cli' });
        await store.trust(c, { name: 'c', approval: 'cli' });
        changes.length = 0;
        const file = await readJson(home);
        const [da, db] = file.devices;
        await writeExternally(home, {
          version: 1,
          devices: [
            { ...da, status: 'revoked', revokedAt: '2025-06-01T00:00:00.000Z' },
            { ...db, name: 'b renamed' },
            { ...db, publicKey: text(d), name: 'd' },
          ],
        });
        await store.reloadFromDisk();
        assert.equal(store.isRevoked(a), true);
        assert.equal(store.get(b)?.name, 'b renamed');
        assert.equal(store.get(c), undefined);
        assert.equal(store.isTrusted(d), true);
        assert.deepEqual(
          [...changes].sort((x, y) => x.kind.localeCompare(y.kind)),
          [
            { kind: 'forgotten', publicKey: text(c) },
            { kind: 'revoked', publicKey: text(a) },
            { kind: 'trusted', publicKey: text(d) },
            { kind: 'updated', publicKey: text(b) },
          ],
        );
        changes.length = 0;
        await store.reloadFromDisk(); // unchanged file: nothing happens
        assert.deepEqual(changes, []);
      });
    });
  });

  test('reloadFromDisk with invalid content throws, keeps the old state and never rewrites the file', async () => {
    await withTempHome(async (home) => {
      const a = newKey();
      await withStore(home, async (store, changes) => {
        await store.trust(a, { name: 'a', approval: 'cli' });
        changes.length = 0;
        const bad = '{"version":1,"devices":[{"publicKey":"broken"'; // e.g. a half-saved hand edit
        await writeExternally(home, bad);
        await assert.rejects(store.reloadFromDisk(), (e) => isMemCloudError(e, 'TRUST_STORE_CORRUPT'));
        assert.equal(store.isTrusted(a), true);
        assert.deepEqual(changes, []);
        // Changing trust is refused while the file is unusable, and the file is left alone.
        await assert.rejects(store.rename(a, 'b'), (e) => isMemCloudError(e, 'TRUST_STORE_CORRUPT'));
        assert.equal(store.get(a)?.name, 'a');
        // A revocation applies here at once; it cannot be written yet.
        await assert.rejects(store.revoke(a), (e) => isMemCloudError(e, 'TRUST_STORE_CORRUPT') && /revoked in the running node/.test(e.message));
        assert.equal(store.isRevoked(a), true);
        assert.equal(await readFile(trustPath(home), 'utf8'), bad);
        // Once the file is fixed (here: removed), the pending change is written on top of it.
        await rm(trustPath(home));
        await store.flush();
      });
      assert.deepEqual((await readJson(home)).devices, []);
    });
  });

  test('pending touches are merged into another process\'s edit instead of overwriting it', async () => {
    await withTempHome(async (home) => {
      const [a, b] = [newKey(), newKey()];
      const store = await TrustStore.open(home);
      const dev = await store.trust(a, { name: 'a', approval: 'cli' });
      const later = new Date(Date.parse(dev.lastSeen) + 60_000);
      store.touch(a, later); // pending, not yet written
      const file = await readJson(home);
      await writeExternally(home, { version: 1, devices: [...file.devices, { ...file.devices[0], publicKey: text(b), name: 'b' }] });
      await store.close();
      const merged = await readJson(home);
      assert.deepEqual(merged.devices.map((d) => [d.name, d.lastSeen]), [
        ['a', later.toISOString()],
        ['b', dev.lastSeen],
      ]);
    });
  });
});
