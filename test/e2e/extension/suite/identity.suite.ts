// The identity key kept by VS Code's Secret Storage, in the real extension host: the setting
// memcloud.identityKeyStorage moves the key there and back; a node started by the window opens it
// from there and still pairs with a real peer; the CLI, which cannot reach VS Code's Secret
// Storage, refuses clearly and changes nothing.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite, test } from 'mocha';
import * as vscode from 'vscode';
import type { PeerInfo } from '../../../../engine/api/types';
import type { MemCloudExtensionExports } from '../../../../extension/extension';
import { env, waitFor } from './helpers';

const EXTENSION_ID = 'memcloud.memcloud';

interface IdentityFile {
  version: number;
  publicKey: string;
  secretKey?: string;
  protection?: { form: string; store?: string; item?: string };
}

suite('The identity key and VS Code Secret Storage', () => {
  let api: MemCloudExtensionExports['testing'];
  const home = env('MEMCLOUD_HOME');
  const file = join(home, 'identity_key');
  const read = (): IdentityFile => JSON.parse(readFileSync(file, 'utf8')) as IdentityFile;
  let original: IdentityFile;
  const config = () => vscode.workspace.getConfiguration('memcloud');
  const client = () => {
    const c = api.link.client;
    assert.ok(c, 'attached to a node');
    return c;
  };

  test('starts with the plain identity key the CLI made', async () => {
    const ext = vscode.extensions.getExtension<MemCloudExtensionExports>(EXTENSION_ID);
    assert.ok(ext);
    api = (await ext.activate()).testing;
    await waitFor('the node to run', () => api.link.state.kind === 'running', 30_000);
    original = read();
    assert.equal(original.version, 1);
    assert.equal((await client().status()).publicKey, original.publicKey);
  });

  test('"secretStorage" moves the key into VS Code\'s Secret Storage; the identity is unchanged', async () => {
    await config().update('identityKeyStorage', 'secretStorage', vscode.ConfigurationTarget.Global);
    const moved = await waitFor('the file to name the Secret Storage', () => {
      const f = read();
      return f.protection?.store === 'vscode-secret-storage' ? f : undefined;
    });
    assert.equal(moved.version, 2);
    assert.equal(moved.protection?.form, 'os');
    assert.match(moved.protection?.item ?? '', /^[A-Za-z0-9_-]{22}$/);
    assert.equal(moved.publicKey, original.publicKey);
    assert.ok(!readFileSync(file, 'utf8').includes(original.secretKey!), 'the seed is not in the file');
  });

  test('a node started by the window opens the key from Secret Storage and pairs with a real peer', async () => {
    await api.link.restartNode();
    await waitFor('the node to run again', () => (api.link.state.kind === 'running' && api.link.hosting ? true : undefined), 30_000);
    assert.equal((await client().status()).publicKey, original.publicKey);
    await vscode.commands.executeCommand('memcloud.trustDevice', env('MEMCLOUD_TEST_PEER_KEY'), 'desk');
    const peer = await vscode.commands.executeCommand<PeerInfo>('memcloud.connectPeer', env('MEMCLOUD_TEST_PEER'), env('MEMCLOUD_TEST_PEER_KEY'));
    assert.equal(peer?.state, 'connected', 'the handshake was signed with the key from Secret Storage');
  });

  test('the CLI cannot open a key in VS Code\'s Secret Storage: it says what to do and changes nothing', () => {
    const before = readFileSync(file);
    const r = spawnSync(env('MEMCLOUD_TEST_NODE_BIN'), [env('MEMCLOUD_TEST_CLI'), 'id', '--protect', 'plain', '--home', home], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /VS Code's Secret Storage, which only VS Code can open.*memcloud\.identityKeyStorage.*\[KEY_STORE_UNAVAILABLE\]/s);
    assert.deepEqual(readFileSync(file), before);
    const shown = spawnSync(env('MEMCLOUD_TEST_NODE_BIN'), [env('MEMCLOUD_TEST_CLI'), 'id', '--home', home], { encoding: 'utf8', timeout: 60_000 });
    assert.match(shown.stdout, /Key: +wrapped by VS Code's Secret Storage, item /);
  });

  test('"file" moves the key back to a plain file: the very same seed', async () => {
    await config().update('identityKeyStorage', 'file', vscode.ConfigurationTarget.Global);
    const back = await waitFor('a plain file again', () => {
      const f = read();
      return f.version === 1 ? f : undefined;
    });
    assert.equal(back.secretKey, original.secretKey);
    assert.equal(back.publicKey, original.publicKey);
    await config().update('identityKeyStorage', undefined, vscode.ConfigurationTarget.Global);
  });
});
