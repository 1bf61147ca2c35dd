// The os form on Linux against a real Secret Service: gnome-keyring in a private D-Bus session,
// reached through secret-tool. Moves between forms keep the identity and clean up old items; a
// missing, locked or emptied store is a clear error that changes nothing.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { isMemCloudError } from '../../../engine/errors';
import { loadOrCreateIdentity } from '../../../engine/identity/identity-file';
import { fixedSecret } from '../../../engine/identity/identity-unlock';
import { defaultStores } from '../../../engine/identity/stores/store-registry';
import { startNode } from '../../support/node-process';
import { identityFile, idCli, secretFd, spellings } from './support/id-cli';
import { startSecretService, type SecretService } from './support/secret-service';

const root = mkdtempSync(join(tmpdir(), 'memcloud-secret-service-'));
let n = 0;
const freshHome = (): string => join(root, `home-${n++}`);
let keyring: SecretService;

before(async () => {
  keyring = await startSecretService(join(root, 'keyring'));
});
after(async () => {
  await keyring?.stop();
  rmSync(root, { recursive: true, force: true });
});

/** An environment without unset variables (startNode lays it over its own). */
const definedOnly = (env: NodeJS.ProcessEnv): Record<string, string> =>
  Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));

const open = (home: string, env: NodeJS.ProcessEnv = keyring.env, passphrase?: string) =>
  loadOrCreateIdentity(home, { stores: defaultStores(env), ...(passphrase ? { secret: fixedSecret(new TextEncoder().encode(passphrase)) } : {}) });

async function protectOs(home: string, env: NodeJS.ProcessEnv = keyring.env): Promise<string> {
  const r = await idCli(['id', '--protect', 'os', '--home', home], env);
  assert.equal(r.code, 0, r.err);
  return identityFile(home).json.protection!.item as string;
}

describe('os form: Secret Service (gnome-keyring over a private D-Bus session)', () => {
  test('plain -> os: the file names the store and item and holds only the wrapped seed; the node opens the same key', async () => {
    const home = freshHome();
    const seed = (await open(home)).exportSecretKeyForSigning();
    const item = await protectOs(home);
    const { raw, json } = identityFile(home);
    assert.equal(json.version, 2);
    assert.equal(json.protection?.form, 'os');
    assert.equal(json.protection?.store, 'secret-service');
    assert.match(item, /^[A-Za-z0-9_-]{22}$/);
    for (const s of spellings(seed)) assert.ok(!raw.toString().includes(s));
    assert.ok(keyring.hasItem(item), 'the wrapping key is in the keyring');
    assert.deepEqual((await open(home)).exportSecretKeyForSigning(), seed);
    const shown = await idCli(['id', '--home', home], keyring.env);
    assert.match(shown.out, new RegExp(`Key: +wrapped by the Secret Service \\(libsecret\\), item ${item}`));
    // A real node process, with the session's environment, serves the same identity.
    const fingerprint = JSON.parse((await idCli(['id', '--json', '--home', home])).out).fingerprint as string;
    const node = await startNode('keyring', home, [], { env: definedOnly(keyring.env) });
    try {
      assert.equal(node.fingerprint, fingerprint);
    } finally {
      await node.stop();
    }
  });

  test('os -> passphrase -> os -> plain keeps the identity; each move removes the item it replaced', async () => {
    const home = freshHome();
    const seed = (await open(home)).exportSecretKeyForSigning();
    const first = await protectOs(home);
    const toPass = await idCli(['id', '--protect', 'passphrase', '--new-passphrase-fd', secretFd(root, 'keyring to passphrase'), '--home', home], keyring.env);
    assert.equal(toPass.code, 0, toPass.err);
    assert.ok(!keyring.hasItem(first), 'the old item is gone');
    assert.deepEqual((await open(home, keyring.env, 'keyring to passphrase')).exportSecretKeyForSigning(), seed);
    const back = await idCli(['id', '--protect', 'os', '--passphrase-fd', secretFd(root, 'keyring to passphrase'), '--home', home], keyring.env);
    assert.equal(back.code, 0, back.err);
    const second = identityFile(home).json.protection!.item as string;
    assert.notEqual(second, first);
    assert.ok(keyring.hasItem(second));
    const again = await idCli(['id', '--protect', 'os', '--home', home], keyring.env);
    assert.match(again.err, /already kept so; nothing changed/);
    const plain = await idCli(['id', '--protect', 'plain', '--home', home], keyring.env);
    assert.equal(plain.code, 0, plain.err);
    assert.ok(!keyring.hasItem(second));
    assert.equal(identityFile(home).json.version, 1);
    assert.deepEqual((await open(home)).exportSecretKeyForSigning(), seed);
  });

  test('a fresh home with --protect os is born protected: no plain file ever written', async () => {
    const home = freshHome();
    const r = await idCli(['id', '--protect', 'os', '--json', '--home', home], keyring.env);
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /Created a new identity/);
    assert.equal(identityFile(home).json.protection?.form, 'os');
    assert.equal((await open(home)).publicKeyText, JSON.parse(r.out).publicKey);
  });

  test('no Secret Service on the session: KEY_STORE_UNAVAILABLE naming what to do; the plain file stays', async () => {
    const home = freshHome();
    const seed = (await open(home)).exportSecretKeyForSigning();
    const before = readFileSync(join(home, 'identity_key'));
    const noBus = { PATH: process.env.PATH, HOME: keyring.env.HOME };
    const r = await idCli(['id', '--protect', 'os', '--home', home], noBus);
    assert.equal(r.code, 1);
    assert.match(r.err, /The Secret Service \(libsecret\) of this session cannot be used: .*D-Bus.*--protect passphrase.*\[KEY_STORE_UNAVAILABLE\]/s);
    const noTool = await idCli(['id', '--protect', 'os', '--home', home], { ...keyring.env, PATH: join(root, 'empty-path') });
    assert.equal(noTool.code, 1);
    assert.match(noTool.err, /secret-tool is not installed.*apt install libsecret-tools/s);
    assert.deepEqual(readFileSync(join(home, 'identity_key')), before);
    assert.deepEqual((await open(home)).exportSecretKeyForSigning(), seed);
    // An os-form identity cannot start without the store either, and is not replaced.
    const item = await protectOs(home);
    const wrapped = readFileSync(join(home, 'identity_key'));
    await assert.rejects(open(home, noBus), (e) => isMemCloudError(e, 'KEY_STORE_UNAVAILABLE'));
    assert.deepEqual(readFileSync(join(home, 'identity_key')), wrapped);
    assert.ok(keyring.hasItem(item));
  });

  test('an item deleted from the keyring fails closed (IDENTITY_CORRUPT), never a new identity', async () => {
    const home = freshHome();
    const item = await protectOs(home);
    const bytes = readFileSync(join(home, 'identity_key'));
    spawnSync('secret-tool', ['clear', 'application', 'memcloud', 'memcloud-item', item], { env: keyring.env, timeout: 20_000 });
    assert.ok(!keyring.hasItem(item));
    await assert.rejects(open(home), (e) => isMemCloudError(e, 'IDENTITY_CORRUPT') && e.message.includes(item) && /Restore that item/.test(e.message));
    const moved = await idCli(['id', '--protect', 'plain', '--home', home], keyring.env);
    assert.equal(moved.code, 1);
    assert.deepEqual(readFileSync(join(home, 'identity_key')), bytes);
  });

  test('a wrapped seed altered in the file does not open with the item (IDENTITY_CORRUPT); the file is kept', async () => {
    const home = freshHome();
    await protectOs(home);
    const file = identityFile(home);
    const p = file.json.protection!;
    const ct = Buffer.from(p.ciphertext as string, 'base64url');
    ct[0]! ^= 0x80;
    const altered = JSON.stringify({ ...file.json, protection: { ...p, ciphertext: ct.toString('base64url') } });
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(home, 'identity_key'), altered, { mode: 0o600 });
    await assert.rejects(open(home), (e) => isMemCloudError(e, 'IDENTITY_CORRUPT') && /does not open with the key/.test(e.message));
    assert.equal(readFileSync(join(home, 'identity_key'), 'utf8'), altered);
  });
});

describe('os form: a locked keyring', () => {
  test('the same keyring, not unlocked in a new session: a clear "locked" error, nothing changed', async () => {
    const dir = join(root, 'keyring-locked');
    const unlocked = await startSecretService(dir);
    const home = freshHome();
    let item: string;
    try {
      item = await protectOs(home, unlocked.env);
    } finally {
      await unlocked.stop();
    }
    const bytes = readFileSync(join(home, 'identity_key'));
    const locked = await startSecretService(dir, { unlock: false });
    try {
      await assert.rejects(open(home, locked.env), (e) => {
        assert.ok(isMemCloudError(e, 'KEY_STORE_UNAVAILABLE'), String(e));
        assert.match(e.message, /locked.*Unlock it/s);
        return true;
      });
      assert.deepEqual(readFileSync(join(home, 'identity_key')), bytes);
      assert.ok(locked.hasItem(item), 'the item is still there, only locked');
    } finally {
      await locked.stop();
    }
  });
});
