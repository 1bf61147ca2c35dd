// The passphrase form: scrypt + ChaCha20-Poly1305 round trips through the real CLI, wrong and
// missing passphrases, altered files (fail closed, never a new identity), and real node processes
// that read the passphrase from a file descriptor (node run, and node start's background node).

import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMemCloudError } from '../../../engine/errors';
import { loadIdentityFile, loadOrCreateIdentity } from '../../../engine/identity/identity-file';
import { fixedSecret, noSecretUnlock } from '../../../engine/identity/identity-unlock';
import { CLI, startNode } from '../../support/node-process';
import { identityFile, idCli, secretFd, spellings } from './support/id-cli';

const root = mkdtempSync(join(tmpdir(), 'memcloud-passphrase-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshHome = (): string => join(root, `home-${n++}`);
const PASS = 'correct horse battery staple';
const unlockWith = (p: string) => ({ ...noSecretUnlock({}), secret: fixedSecret(new TextEncoder().encode(p)) });

async function plainSeed(home: string): Promise<{ seed: Uint8Array; publicKey: string }> {
  const id = await loadOrCreateIdentity(home);
  return { seed: id.exportSecretKeyForSigning(), publicKey: id.publicKeyText };
}

async function protect(home: string, pass = PASS): Promise<void> {
  const r = await idCli(['id', '--protect', 'passphrase', '--new-passphrase-fd', secretFd(root, `${pass}\n`), '--home', home]);
  assert.equal(r.code, 0, r.err);
}

describe('passphrase form', () => {
  test('plain -> passphrase keeps the identity; the file holds only the wrapped seed, 0600; id shows the form', async () => {
    const home = freshHome();
    const before = await plainSeed(home);
    await protect(home);
    const { raw, json } = identityFile(home);
    assert.equal(json.version, 2);
    assert.equal(json.publicKey, before.publicKey);
    assert.equal(json.protection?.form, 'passphrase');
    assert.equal(json.protection?.kdf, 'scrypt');
    assert.deepEqual([json.protection?.log2N, json.protection?.r, json.protection?.p], [17, 8, 1]);
    for (const s of spellings(before.seed)) assert.ok(!raw.toString().includes(s), 'no spelling of the seed in the file');
    assert.equal(statSync(join(home, 'identity_key')).mode & 0o777, 0o600);
    const shown = JSON.parse((await idCli(['id', '--json', '--home', home])).out);
    assert.equal(shown.publicKey, before.publicKey);
    assert.equal(shown.protection.form, 'passphrase');
    assert.match((await idCli(['id', '--home', home])).out, /Key: +wrapped with a passphrase \(scrypt N=2\^17 r=8 p=1/);
    const opened = await loadIdentityFile(join(home, 'identity_key'), unlockWith(PASS));
    assert.deepEqual(opened!.exportSecretKeyForSigning(), before.seed);
  });

  test('a wrong passphrase is IDENTITY_WRONG_PASSPHRASE, none is IDENTITY_LOCKED; the file is untouched and no identity is made', async () => {
    const home = freshHome();
    await protect(home);
    const file = join(home, 'identity_key');
    const bytes = readFileSync(file);
    await assert.rejects(loadOrCreateIdentity(home, unlockWith('not the passphrase')), (e) => isMemCloudError(e, 'IDENTITY_WRONG_PASSPHRASE') && /Wrong passphrase/.test(e.message));
    await assert.rejects(loadOrCreateIdentity(home), (e) => isMemCloudError(e, 'IDENTITY_LOCKED') && /--passphrase-fd/.test(e.message));
    const viaCli = await idCli(['id', '--protect', 'plain', '--passphrase-fd', secretFd(root, 'wrong passphrase'), '--home', home]);
    assert.equal(viaCli.code, 1);
    assert.match(viaCli.err, /Wrong passphrase .*\[IDENTITY_WRONG_PASSPHRASE\]/);
    assert.deepEqual(readFileSync(file), bytes);
  });

  test('passphrase -> new passphrase -> plain round trip: the same seed at every step', async () => {
    const home = freshHome();
    const before = await plainSeed(home);
    await protect(home);
    const change = await idCli(['id', '--protect', 'passphrase', '--passphrase-fd', secretFd(root, PASS), '--new-passphrase-fd', secretFd(root, 'a whole new passphrase'), '--home', home]);
    assert.equal(change.code, 0, change.err);
    await assert.rejects(loadOrCreateIdentity(home, unlockWith(PASS)), (e) => isMemCloudError(e, 'IDENTITY_WRONG_PASSPHRASE'));
    const back = await idCli(['id', '--protect', 'plain', '--passphrase-fd', secretFd(root, 'a whole new passphrase\r\n'), '--home', home]);
    assert.equal(back.code, 0, back.err);
    assert.equal(identityFile(home).json.version, 1);
    assert.deepEqual((await loadOrCreateIdentity(home)).exportSecretKeyForSigning(), before.seed);
  });

  test('a short passphrase and an unreadable descriptor are clear errors that change nothing', async () => {
    const home = freshHome();
    const before = await plainSeed(home);
    const short = await idCli(['id', '--protect', 'passphrase', '--new-passphrase-fd', secretFd(root, 'short'), '--home', home]);
    assert.equal(short.code, 2);
    assert.match(short.err, /at least 8 characters/);
    const badFd = await idCli(['id', '--protect', 'passphrase', '--new-passphrase-fd', '987', '--home', home]);
    assert.equal(badFd.code, 2);
    assert.match(badFd.err, /--new-passphrase-fd 987 cannot be read/);
    const notFd = await idCli(['id', '--protect', 'passphrase', '--new-passphrase-fd', 'x', '--home', home]);
    assert.equal(notFd.code, 2);
    assert.match(notFd.err, /must be the number of an open file descriptor/);
    const noTty = await idCli(['id', '--protect', 'passphrase', '--home', home]);
    assert.equal(noTty.code, 1);
    assert.match(noTty.err, /no terminal to ask at/);
    assert.equal(identityFile(home).json.version, 1);
    assert.deepEqual((await loadOrCreateIdentity(home)).exportSecretKeyForSigning(), before.seed);
  });

  test('an altered wrapped file fails closed and is never replaced by a new identity', async () => {
    const home = freshHome();
    await protect(home);
    const file = join(home, 'identity_key');
    const good = identityFile(home).json;
    const flip = (b64: string): string => {
      const b = Buffer.from(b64, 'base64url');
      b[5]! ^= 0x01;
      return b.toString('base64url');
    };
    const p = good.protection as Record<string, unknown>;
    const cases: Array<[Record<string, unknown>, string, RegExp]> = [
      [{ ...good, protection: { ...p, ciphertext: flip(p.ciphertext as string) } }, 'IDENTITY_WRONG_PASSPHRASE', /or the file was altered/],
      [{ ...good, protection: { ...p, nonce: flip(p.nonce as string) } }, 'IDENTITY_WRONG_PASSPHRASE', /or the file was altered/],
      [{ ...good, protection: { ...p, salt: flip(p.salt as string) } }, 'IDENTITY_WRONG_PASSPHRASE', /or the file was altered/],
      [{ ...good, publicKey: (await loadOrCreateIdentity(freshHome())).publicKeyText }, 'IDENTITY_WRONG_PASSPHRASE', /or the file was altered/],
      [{ ...good, protection: { ...p, log2N: 30 } }, 'IDENTITY_CORRUPT', /"protection.log2N" must be an integer from 14 to 20/],
      [{ ...good, protection: { ...p, ciphertext: 'AAAA' } }, 'IDENTITY_CORRUPT', /"protection.ciphertext" must be 48 bytes/],
      [{ ...good, protection: { ...p, form: 'rot13' } }, 'IDENTITY_CORRUPT', /"protection.form"/],
      [{ ...good, protection: { ...p, secretKey: 'x' } }, 'IDENTITY_CORRUPT', /unexpected field "protection.secretKey"/],
      [{ ...good, protection: undefined }, 'IDENTITY_CORRUPT', /"protection" must be an object/],
    ];
    for (const [content, code, message] of cases) {
      writeFileSync(file, JSON.stringify(content), { mode: 0o600 });
      const bytes = readFileSync(file);
      await assert.rejects(loadOrCreateIdentity(home, unlockWith(PASS)), (e) => {
        assert.ok(isMemCloudError(e), String(e));
        assert.equal(e.code, code, e.message);
        assert.match(e.message, message);
        return true;
      });
      assert.deepEqual(readFileSync(file), bytes, 'untouched');
      const shown = await idCli(['id', '--home', home]);
      if (code === 'IDENTITY_CORRUPT') assert.equal(shown.code, 1, 'memcloud id refuses a corrupt file too');
      assert.deepEqual(readFileSync(file), bytes, 'still untouched');
    }
  });
});

describe('passphrase form: real node processes', () => {
  test('node run reads the passphrase from a descriptor and serves the same identity; a wrong one exits with a clear error', async () => {
    const home = freshHome();
    const before = await plainSeed(home);
    await protect(home);
    const fingerprint = JSON.parse((await idCli(['id', '--json', '--home', home])).out).fingerprint as string;
    const node = await startNode('locked', home, [], { passphrase: PASS });
    try {
      assert.equal(node.fingerprint, fingerprint);
    } finally {
      await node.stop();
    }
    const bytes = readFileSync(join(home, 'identity_key'));
    const empty = `exec "${process.execPath}" "${CLI}" node run --home "${home}" --port 0 --host 127.0.0.1 --no-discovery --passphrase-fd 3 3</dev/null`;
    const wrong = spawnSync('sh', ['-c', empty], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(wrong.status, 2, wrong.stderr);
    assert.match(wrong.stderr, /passphrase is empty/);
    const none = spawnSync(process.execPath, [CLI, 'node', 'run', '--home', home, '--port', '0', '--no-discovery'], { encoding: 'utf8', timeout: 60_000, input: '' });
    assert.equal(none.status, 1);
    assert.match(none.stderr, /no terminal to ask at; give it with --passphrase-fd N/);
    assert.deepEqual(readFileSync(join(home, 'identity_key')), bytes);
    assert.ok(before.seed.length === 32);
  });

  test('a wrong passphrase on the descriptor: node run exits 1 with IDENTITY_WRONG_PASSPHRASE', async () => {
    const home = freshHome();
    await protect(home);
    await assert.rejects(startNode('wrong', home, [], { passphrase: 'not the passphrase' }), /IDENTITY_WRONG_PASSPHRASE|Wrong passphrase/);
  });

  test('node start hands the passphrase to the background node on a pipe', async () => {
    const home = freshHome();
    await protect(home);
    const fingerprint = JSON.parse((await idCli(['id', '--json', '--home', home])).out).fingerprint as string;
    const passFile = join(root, `pass-${n++}`);
    writeFileSync(passFile, PASS, { mode: 0o600 });
    const start = spawnSync('sh', ['-c', `exec "${process.execPath}" "${CLI}" node start --home "${home}" --port 0 --host 127.0.0.1 --no-discovery --passphrase-fd 3 3<"${passFile}"`], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    try {
      assert.equal(start.status, 0, start.stderr);
      assert.ok(start.stdout.includes(`fingerprint  ${fingerprint}`), start.stdout);
    } finally {
      spawnSync(process.execPath, [CLI, 'node', 'stop', '--home', home], { encoding: 'utf8', timeout: 60_000 });
    }
  });
});

/** Runs the CLI on a real pseudo-terminal (util-linux `script`), typing `keys` into it. */
function atTerminal(args: readonly string[], keys: string): Promise<{ code: number | null; screen: string }> {
  const command = [process.execPath, CLI, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  return new Promise((resolve) => {
    const child = spawn('script', ['-qec', command, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let screen = '';
    let typed = false;
    child.stdout.on('data', (c: Buffer) => {
      screen += c.toString('utf8');
      // Type once the first prompt is up, everything at once (as a paste would).
      if (!typed && /: $/.test(screen.trimStart().split('\n').pop() ?? '')) {
        typed = true;
        child.stdin.write(keys);
      }
    });
    child.stderr.on('data', (c: Buffer) => (screen += c.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, screen });
    });
  });
}

describe('passphrase form: at a terminal', () => {
  test('asked twice with echo off to protect, once to unprotect; the passphrase never shows on screen', async () => {
    const home = freshHome();
    const before = await plainSeed(home);
    const secret = 'typed at a real terminal';
    const protect = await atTerminal(['id', '--protect', 'passphrase', '--home', home], `${secret}\r${secret}\r`);
    assert.equal(protect.code, 0, protect.screen);
    assert.match(protect.screen, /New passphrase for the identity key: /);
    assert.match(protect.screen, /Repeat it: /);
    assert.ok(!protect.screen.includes(secret), 'no echo');
    assert.equal(identityFile(home).json.protection?.form, 'passphrase');
    const mismatch = await atTerminal(['id', '--protect', 'passphrase', '--home', home], `${secret}\rone new passphrase\ranother new passphrase\r`);
    assert.equal(mismatch.code, 2, mismatch.screen);
    assert.match(mismatch.screen, /The two passphrases differ. Nothing was changed./);
    const unprotect = await atTerminal(['id', '--protect', 'plain', '--home', home], `${secret}\r`);
    assert.equal(unprotect.code, 0, unprotect.screen);
    assert.match(unprotect.screen, /The identity key in ".*identity_key": passphrase: /);
    assert.ok(!unprotect.screen.includes(secret), 'no echo');
    assert.deepEqual((await loadOrCreateIdentity(home)).exportSecretKeyForSigning(), before.seed);
  });
});
