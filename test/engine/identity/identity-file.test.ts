import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ed25519 } from '@noble/curves/ed25519.js';
import { loadIdentityFile, loadOrCreateIdentity } from '../../../engine/identity/identity-file';
import { isMemCloudError, type ErrorCode } from '../../../engine/errors';
import { ensureHome } from '../../../engine/home/home';
import { tempFilesIn, withTempHome } from '../../support/temp';

const modeOf = async (p: string): Promise<number> => (await stat(p)).mode & 0o777;
const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64url');

function validFile(overrides: Record<string, unknown> = {}): string {
  const seed = ed25519.utils.randomSecretKey();
  return JSON.stringify({
    version: 1, type: 'ed25519', secretKey: b64(seed), publicKey: b64(ed25519.getPublicKey(seed)),
    createdAt: '2025-03-01T10:00:00.000Z', ...overrides,
  });
}

/** Write `content` as the identity file, expect `code`, and check the file was not touched. */
async function expectRefused(content: string | Buffer, code: ErrorCode, message: RegExp, mode = 0o600): Promise<void> {
  await withTempHome(async (home) => {
    await ensureHome(home);
    const path = join(home, 'identity_key');
    await writeFile(path, content, { mode });
    await chmod(path, mode);
    const before = await readFile(path);
    await assert.rejects(loadOrCreateIdentity(home), (err) => {
      assert.ok(isMemCloudError(err, code), `expected ${code}, got ${String(err)}`);
      assert.ok(err.message.includes(path), 'message names the file');
      assert.match(err.message, message);
      return true;
    });
    assert.deepEqual(await readFile(path), before, 'file untouched byte for byte');
    assert.equal(await modeOf(path), mode);
  });
}

const CORRUPT_ADVICE = /restore it from a backup.*move it aside.*trust this device again/is;

describe('loadOrCreateIdentity', () => {
  test('first start creates the home (0700) and a valid identity file (0600)', async () => {
    await withTempHome(async (home) => {
      const id = await loadOrCreateIdentity(home);
      assert.equal(await modeOf(home), 0o700);
      const path = join(home, 'identity_key');
      assert.equal(await modeOf(path), 0o600);
      const file = JSON.parse(await readFile(path, 'utf8'));
      assert.deepEqual(Object.keys(file).sort(), ['createdAt', 'publicKey', 'secretKey', 'type', 'version']);
      assert.equal(file.version, 1);
      assert.equal(file.type, 'ed25519');
      assert.equal(file.publicKey, id.publicKeyText);
      const seed = Buffer.from(file.secretKey, 'base64url');
      assert.equal(seed.length, 32);
      assert.equal(file.secretKey, seed.toString('base64url'));
      assert.deepEqual(ed25519.getPublicKey(seed), id.publicKey);
      assert.equal(new Date(file.createdAt).toISOString(), file.createdAt);
      assert.deepEqual(await tempFilesIn(home), []);
    });
  });

  test('later starts load the same identity without rewriting the file', async () => {
    await withTempHome(async (home) => {
      const first = await loadOrCreateIdentity(home);
      const bytes = await readFile(join(home, 'identity_key'));
      const second = await loadOrCreateIdentity(home);
      assert.deepEqual(second.publicKey, first.publicKey);
      assert.deepEqual(second.exportSecretKeyForSigning(), first.exportSecretKeyForSigning());
      assert.equal(second.createdAt, first.createdAt);
      assert.deepEqual(await readFile(join(home, 'identity_key')), bytes);
    });
  });

  test('loadIdentityFile returns undefined when there is no file', async () => {
    await withTempHome(async (home) => {
      await ensureHome(home);
      assert.equal(await loadIdentityFile(join(home, 'identity_key')), undefined);
    });
  });

  test('concurrent first starts in one process yield one identity', async () => {
    await withTempHome(async (home) => {
      const ids = await Promise.all(Array.from({ length: 8 }, () => loadOrCreateIdentity(home)));
      const keys = new Set(ids.map((id) => id.publicKeyText));
      assert.equal(keys.size, 1);
      const file = JSON.parse(await readFile(join(home, 'identity_key'), 'utf8'));
      assert.equal(file.publicKey, ids[0]!.publicKeyText);
      assert.deepEqual(await tempFilesIn(home), []);
    });
  });

  test('concurrent first starts in separate processes yield one identity', async () => {
    await withTempHome(async (home) => {
      const goFile = `${home}.go`;
      const fixture = join(import.meta.dirname, 'fixtures', 'create-identity.ts');
      const children = Array.from({ length: 4 }, () => runChild(fixture, home, goFile));
      await new Promise((r) => setTimeout(r, 500)); // let them boot; correctness does not depend on it
      await writeFile(goFile, '');
      const keys = await Promise.all(children);
      assert.equal(new Set(keys).size, 1, `got ${keys.join(' ')}`);
      const file = JSON.parse(await readFile(join(home, 'identity_key'), 'utf8'));
      assert.equal(file.publicKey, keys[0]);
      assert.deepEqual(await tempFilesIn(home), []);
    });
  });

  test('bad JSON is refused and left untouched', () => expectRefused('{"version":1,', 'IDENTITY_CORRUPT', CORRUPT_ADVICE));
  test('non-UTF-8 content is refused', () => expectRefused(Buffer.from([0xff, 0xfe, 0x7b]), 'IDENTITY_CORRUPT', /not valid JSON/));
  test('a JSON array is refused', () => expectRefused('[]', 'IDENTITY_CORRUPT', /not a JSON object/));
  test('a truncated secret key is refused', () => {
    const file = JSON.parse(validFile());
    return expectRefused(JSON.stringify({ ...file, secretKey: file.secretKey.slice(0, 40) }), 'IDENTITY_CORRUPT', /secretKey/);
  });
  test('a truncated public key is refused', () => {
    const file = JSON.parse(validFile());
    return expectRefused(JSON.stringify({ ...file, publicKey: file.publicKey.slice(0, 42) }), 'IDENTITY_CORRUPT', /publicKey/);
  });
  test('a public key that does not match the secret is refused', () => {
    const other = b64(ed25519.getPublicKey(ed25519.utils.randomSecretKey()));
    return expectRefused(validFile({ publicKey: other }), 'IDENTITY_CORRUPT', /does not belong/);
  });
  test('an unknown version is refused', () => expectRefused(validFile({ version: 3 }), 'IDENTITY_CORRUPT', /version 3 is not supported/));
  test('a missing version is refused', () => expectRefused(validFile({ version: undefined }), 'IDENTITY_CORRUPT', /version/));
  test('a wrong key type is refused', () => expectRefused(validFile({ type: 'x25519' }), 'IDENTITY_CORRUPT', /type/));
  test('an unexpected field is refused', () => expectRefused(validFile({ extra: 1 }), 'IDENTITY_CORRUPT', /unexpected field "extra"/));
  test('a bad creation time is refused', () => expectRefused(validFile({ createdAt: 'yesterday' }), 'IDENTITY_CORRUPT', /createdAt/));
  test('an empty file is refused', () => expectRefused('', 'IDENTITY_CORRUPT', CORRUPT_ADVICE));

  test('a file readable by others (0644) is refused with chmod advice', () =>
    expectRefused(validFile(), 'IDENTITY_UNREADABLE', /0644.*chmod 600/s, 0o644));
  test('a file readable by the group (0640) is refused', () => expectRefused(validFile(), 'IDENTITY_UNREADABLE', /chmod 600/, 0o640));

  test('a directory in place of the file is refused, not replaced', async () => {
    await withTempHome(async (home) => {
      await mkdir(home, { mode: 0o700 }); // a home others cannot reach, as MemCloud requires
      await mkdir(join(home, 'identity_key'));
      await assert.rejects(loadOrCreateIdentity(home), (err) => isMemCloudError(err, 'IDENTITY_CORRUPT') && /not a regular file/.test(err.message));
      assert.ok((await stat(join(home, 'identity_key'))).isDirectory());
    });
  });
});

function runChild(fixture: string, home: string, goFile: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', fixture, home, goFile], {
      cwd: join(import.meta.dirname, '..', '..', '..'),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`child exited ${code}: ${err}`))));
  });
}
