// The pkcs11 form against a real token: SoftHSM2 with CKM_EDDSA on CKK_EC_EDWARDS keys. The seed
// is imported sensitive and non-extractable (or generated on the token); a node process signs its
// handshakes on the token and pairs with a plain node over TCP; wrong PINs, missing tokens and
// moves out of the token are clear errors that change nothing.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ed25519 } from '@noble/curves/ed25519.js';
import { isMemCloudError } from '../../../engine/errors';
import { loadOrCreateIdentity } from '../../../engine/identity/identity-file';
import { fixedSecret, noSecretUnlock } from '../../../engine/identity/identity-unlock';
import { constant } from '../../../engine/identity/pkcs11/pkcs11-binding';
import { TokenSession } from '../../../engine/identity/pkcs11/pkcs11-token';
import { startNode, type RunningNode } from '../../support/node-process';
import { identityFile, idCli, secretFd, spellings } from './support/id-cli';
import { initToken, SOFTHSM_MODULE, softhsmConfig, USER_PIN } from './support/softhsm';

const root = mkdtempSync(join(tmpdir(), 'memcloud-pkcs11-'));
let n = 0;
const freshHome = (): string => join(root, `home-${n++}`);
const TOKEN = 'memcloud-test';
let conf: string;

before(() => {
  conf = softhsmConfig(join(root, 'softhsm'));
  // SoftHSM reads its config when this process first initializes it (in the first move below).
  process.env.SOFTHSM2_CONF = conf;
  initToken(conf, TOKEN);
  initToken(conf, 'memcloud-spare');
});
after(() => rmSync(root, { recursive: true, force: true }));

const unlockPin = (pin = USER_PIN) => ({ ...noSecretUnlock({}), secret: fixedSecret(new TextEncoder().encode(pin)) });
const pkcs11Args = (home: string, label = TOKEN, keyLabel?: string) => [
  'id', '--protect', 'pkcs11', '--pkcs11-module', SOFTHSM_MODULE, '--pkcs11-token', label, '--pin-fd', secretFd(root, USER_PIN),
  ...(keyLabel ? ['--pkcs11-key-label', keyLabel] : []), '--home', home,
];

async function toToken(home: string, keyLabel = `key-${n++}`): Promise<void> {
  const r = await idCli(pkcs11Args(home, TOKEN, keyLabel));
  assert.equal(r.code, 0, r.err);
}

describe('pkcs11 form: SoftHSM2', () => {
  test('plain -> pkcs11 keeps the identity; the key is sensitive and non-extractable on the token; the file holds no key', async () => {
    const home = freshHome();
    const plain = await loadOrCreateIdentity(home);
    const seed = plain.exportSecretKeyForSigning();
    await toToken(home, 'imported');
    const { raw, json } = identityFile(home);
    assert.equal(json.protection?.form, 'pkcs11');
    assert.equal(json.protection?.module, SOFTHSM_MODULE);
    assert.equal(json.protection?.tokenLabel, TOKEN);
    assert.equal(json.publicKey, plain.publicKeyText);
    for (const s of spellings(seed)) assert.ok(!raw.toString().includes(s));
    assert.match((await idCli(['id', '--home', home])).out, /Key: +on PKCS#11 token "memcloud-test" \(serial [0-9a-f]+\), key "imported"; it never leaves the token/);

    const opened = await loadOrCreateIdentity(home, unlockPin());
    try {
      assert.ok(opened.externalSigner, 'signs through the token');
      assert.throws(() => opened.exportSecretKeyForSigning(), /cannot be exported/);
      const msg = new TextEncoder().encode('handshake hash stand-in');
      const sig = await opened.signAsync(msg);
      assert.ok(ed25519.verify(sig, msg, plain.publicKey), 'the token signs as the same identity');
      assert.deepEqual(sig, plain.sign(msg), 'Ed25519 is deterministic: the very same key');
    } finally {
      await opened.externalSigner?.close();
    }
    const token = TokenSession.open({ module: SOFTHSM_MODULE, tokenLabel: TOKEN }, USER_PIN);
    try {
      const key = token.findPrivateKey(json.protection!.keyId as string)!;
      assert.ok(key);
      assert.throws(() => token.lib.C_GetAttributeValue(token.session, key, [{ type: constant('CKA_VALUE') }]), /CKR_ATTRIBUTE_SENSITIVE/);
      const [extractable] = token.lib.C_GetAttributeValue(token.session, key, [{ type: constant('CKA_EXTRACTABLE') }]);
      assert.deepEqual(extractable!.value, Buffer.from([0]));
    } finally {
      token.close();
    }
  });

  test('a node whose key is on the token pairs with a plain node over TCP: the handshake signs on the token', async () => {
    const homes = { token: freshHome(), plain: freshHome() };
    await loadOrCreateIdentity(homes.token);
    await toToken(homes.token);
    const ids = {
      token: JSON.parse((await idCli(['id', '--json', '--home', homes.token])).out),
      plain: JSON.parse((await idCli(['id', '--json', '--home', homes.plain])).out),
    };
    assert.equal((await idCli(['trust', 'add', ids.plain.publicKey, '--name', 'plain', '--home', homes.token])).code, 0);
    assert.equal((await idCli(['trust', 'add', ids.token.publicKey, '--name', 'hsm', '--home', homes.plain])).code, 0);
    const env = { SOFTHSM2_CONF: conf };
    const nodes: RunningNode[] = [];
    try {
      const b = await startNode('plain', homes.plain);
      nodes.push(b);
      const a = await startNode('hsm', homes.token, ['--connect', `127.0.0.1:${b.port}`], { env, passphrase: USER_PIN });
      nodes.push(a);
      assert.equal(a.fingerprint, ids.token.fingerprint);
      assert.match(await a.waitFor(/session established with plain/), new RegExp(ids.plain.fingerprint));
      assert.match(await b.waitFor(/session established with hsm/), new RegExp(ids.token.fingerprint));
    } finally {
      await Promise.all(nodes.map((x) => x.stop()));
    }
  });

  test('a wrong PIN is IDENTITY_WRONG_PASSPHRASE, for a move and for a node start; nothing changes', async () => {
    const home = freshHome();
    await loadOrCreateIdentity(home);
    await toToken(home);
    const bytes = readFileSync(join(home, 'identity_key'));
    await assert.rejects(loadOrCreateIdentity(home, unlockPin('0000')), (e) => isMemCloudError(e, 'IDENTITY_WRONG_PASSPHRASE') && /PIN of token "memcloud-test" is wrong/.test(e.message));
    await assert.rejects(loadOrCreateIdentity(home), (e) => isMemCloudError(e, 'IDENTITY_LOCKED'));
    await assert.rejects(startNode('wrong-pin', home, [], { env: { SOFTHSM2_CONF: conf }, passphrase: '0000' }), /IDENTITY_WRONG_PASSPHRASE|PIN .* is wrong/);
    const other = freshHome();
    await loadOrCreateIdentity(other);
    const r = await idCli(['id', '--protect', 'pkcs11', '--pkcs11-module', SOFTHSM_MODULE, '--pkcs11-token', TOKEN, '--pin-fd', secretFd(root, '0000'), '--home', other]);
    assert.equal(r.code, 1);
    assert.match(r.err, /\[IDENTITY_WRONG_PASSPHRASE\]/);
    assert.equal(identityFile(other).json.version, 1);
    assert.deepEqual(readFileSync(join(home, 'identity_key')), bytes);
  });

  test('the key cannot move off the token: a clear refusal, the file unchanged', async () => {
    const home = freshHome();
    await loadOrCreateIdentity(home);
    await toToken(home);
    const bytes = readFileSync(join(home, 'identity_key'));
    for (const form of ['plain', 'os', 'passphrase']) {
      const r = await idCli(['id', '--protect', form, '--home', home]);
      assert.equal(r.code, 2, r.err);
      assert.match(r.err, /on PKCS#11 token "memcloud-test" .* can never leave it/);
    }
    assert.deepEqual(readFileSync(join(home, 'identity_key')), bytes);
  });

  test('passphrase -> pkcs11 keeps the identity; a fresh home with --protect pkcs11 generates its key on the token', async () => {
    const home = freshHome();
    const plain = await loadOrCreateIdentity(home);
    assert.equal((await idCli(['id', '--protect', 'passphrase', '--new-passphrase-fd', secretFd(root, 'to the token later'), '--home', home])).code, 0);
    const r = await idCli([...pkcs11Args(home, TOKEN, `from-pass-${n++}`), '--passphrase-fd', secretFd(root, 'to the token later')]);
    assert.equal(r.code, 0, r.err);
    assert.equal(identityFile(home).json.publicKey, plain.publicKeyText);

    const fresh = freshHome();
    const made = await idCli([...pkcs11Args(fresh, 'memcloud-spare', 'born-here'), '--json']);
    assert.equal(made.code, 0, made.err);
    assert.match(made.err, /Created a new identity/);
    const id = await loadOrCreateIdentity(fresh, unlockPin());
    try {
      assert.equal(id.publicKeyText, JSON.parse(made.out).publicKey);
      const msg = new Uint8Array([1, 2, 3]);
      assert.ok(ed25519.verify(await id.signAsync(msg), msg, id.publicKey));
    } finally {
      await id.externalSigner?.close();
    }
    // The same label again on another fresh home adopts that key: it is the same identity.
    const again = freshHome();
    const adopted = await idCli([...pkcs11Args(again, 'memcloud-spare', 'born-here'), '--json']);
    assert.equal(JSON.parse(adopted.out).publicKey, JSON.parse(made.out).publicKey);
  });

  test('a missing token or a key gone from it: KEY_STORE_UNAVAILABLE naming what to do; the file stays', async () => {
    const home = freshHome();
    await loadOrCreateIdentity(home);
    await toToken(home, 'to-be-lost');
    const file = identityFile(home);
    const { writeFileSync } = await import('node:fs');
    const missingToken = JSON.stringify({ ...file.json, protection: { ...file.json.protection, tokenLabel: 'not-plugged-in' } });
    writeFileSync(join(home, 'identity_key'), missingToken, { mode: 0o600 });
    await assert.rejects(loadOrCreateIdentity(home, unlockPin()), (e) => isMemCloudError(e, 'KEY_STORE_UNAVAILABLE') && /no token labelled "not-plugged-in".* is present.*Insert the token/s.test(e.message));
    const missingKey = JSON.stringify({ ...file.json, protection: { ...file.json.protection, keyId: '00112233' } });
    writeFileSync(join(home, 'identity_key'), missingKey, { mode: 0o600 });
    await assert.rejects(loadOrCreateIdentity(home, unlockPin()), (e) => isMemCloudError(e, 'KEY_STORE_UNAVAILABLE') && /has no Ed25519 key with id 00112233/.test(e.message));
    assert.equal(readFileSync(join(home, 'identity_key'), 'utf8'), missingKey);
    const badModule = await idCli(['id', '--protect', 'pkcs11', '--pkcs11-module', '/nonexistent/lib.so', '--pkcs11-token', TOKEN, '--pin-fd', secretFd(root, USER_PIN), '--home', freshHome()]);
    assert.equal(badModule.code, 1);
    assert.match(badModule.err, /PKCS#11 module "\/nonexistent\/lib.so" could not be loaded/);
  });
});
