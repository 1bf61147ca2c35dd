// Which crypto backend a real node runs (`memcloud node run`, the engine in its worker thread, the
// bundled dist/ files): auto picks portable where native ChaCha20-Poly1305 is missing and noble
// where WebAssembly cannot start (node --jitless: no WebAssembly at all); a backend asked for by
// name that cannot run is a clear error; config.json and the flag choose; status and stats say it.
// A portable node stores on a native peer and reads back over real TCP.

import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ABSENT_ENV } from '../../../engine/crypto/absent';
import { MemCloud } from '../../../engine/sdk/client';
import { CLI, cli, startNode, type NodeLaunch, type RunningNode } from '../../support/node-process';

const root = mkdtempSync(join(tmpdir(), 'memcloud-crypto-choice-'));
const running: RunningNode[] = [];
after(async () => {
  await Promise.all(running.map((n) => n.stop()));
  rmSync(root, { recursive: true, force: true });
});

let homes = 0;
function newHome(config?: object): string {
  const home = join(root, `h${homes++}`);
  mkdirSync(home, { mode: 0o700 });
  if (config) writeFileSync(join(home, 'config.json'), JSON.stringify(config));
  return home;
}

async function start(name: string, home: string, args: string[], launch?: NodeLaunch): Promise<RunningNode> {
  const node = await startNode(name, home, args, launch);
  running.push(node);
  return node;
}

function statusCrypto(home: string): string {
  return (JSON.parse(cli(home, ['node', 'status', '--json'])) as { status: { crypto: string } }).status.crypto;
}

const NO_NATIVE: NodeLaunch = { env: { [ABSENT_ENV]: 'native' } };
const NO_WASM: NodeLaunch = { execArgv: ['--jitless'], env: { [ABSENT_ENV]: 'native' } };

describe('choosing the crypto backend of a real node', () => {
  test('auto on plain Node runs native; status, stats and the log say so', async () => {
    const home = newHome();
    const node = await start('plain', home, []);
    assert.equal(statusCrypto(home), 'native');
    assert.match(cli(home, ['stats']), /^crypto native {2}memory /);
    assert.equal((JSON.parse(cli(home, ['stats', '--json'])) as { crypto: string }).crypto, 'native');
    await node.waitFor(/listening on .*, crypto native,/);
    await node.stop();
  });

  test('without native ChaCha20-Poly1305 (as in Electron), auto runs portable: libsodium in the engine worker', async () => {
    const home = newHome();
    const node = await start('electron-like', home, ['--crypto', 'auto'], NO_NATIVE);
    assert.equal(statusCrypto(home), 'portable');
    assert.match(cli(home, ['node', 'status']), /crypto portable/);
    assert.match(cli(home, ['stats']), /^crypto portable /);
    await node.stop();
  });

  test('where WebAssembly cannot start either (node --jitless), auto falls back to noble', async () => {
    const probe = spawnSync(process.execPath, ['--jitless', '-e', 'process.stdout.write(typeof WebAssembly)'], { encoding: 'utf8' });
    assert.equal(probe.stdout, 'undefined', 'node --jitless has no WebAssembly');
    const home = newHome();
    const node = await start('no-wasm', home, [], NO_WASM);
    assert.equal(statusCrypto(home), 'noble');
    await node.stop();
  });

  test('a backend asked for by name that cannot run here stops the node with a clear error', () => {
    const cases: Array<[NodeLaunch, string, RegExp]> = [
      [NO_WASM, 'portable', /crypto "portable" is not available: WebAssembly cannot start in this runtime; use "auto" or "noble"/],
      [NO_NATIVE, 'native', /crypto "native" is not available: this runtime's node:crypto has no chacha20-poly1305/],
    ];
    for (const [launch, choice, message] of cases) {
      const home = newHome();
      const r = spawnSync(
        process.execPath,
        [...(launch.execArgv ?? []), CLI, 'node', 'run', '--home', home, '--crypto', choice, '--host', '127.0.0.1', '--port', '0', '--no-discovery'],
        { encoding: 'utf8', timeout: 60_000, env: { ...process.env, ...launch.env } },
      );
      assert.equal(r.status, 2, `${choice}: ${r.stdout}${r.stderr}`); // BAD_ARGUMENT
      assert.match(r.stderr, message);
    }
  });

  test('config.json chooses the backend, the --crypto flag overrides it, and a bad value is refused', async () => {
    const home = newHome({ crypto: 'portable' });
    let node = await start('configured', home, []);
    assert.equal(statusCrypto(home), 'portable');
    await node.stop();
    node = await start('configured', home, ['--crypto', 'noble']);
    assert.equal(statusCrypto(home), 'noble');
    await node.stop();
    const bad = newHome({ crypto: 'rot13' });
    const r = spawnSync(process.execPath, [CLI, 'node', 'run', '--home', bad, '--port', '0', '--no-discovery'], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /config\.json: "crypto" must be one of "auto", "native", "portable", "noble"/);
  });

  test('a portable node stores on a native peer and reads back over real TCP', async () => {
    const keys = [newHome(), newHome()].map((home) => ({ home, key: Buffer.from((JSON.parse(cli(home, ['id', '--json'])) as { publicKey: string }).publicKey, 'base64url').toString('hex') }));
    const [lender, owner] = keys as [(typeof keys)[0], (typeof keys)[0]];
    cli(lender.home, ['trust', 'add', owner.key, '--name', 'owner']);
    cli(owner.home, ['trust', 'add', lender.key, '--name', 'lender']);
    const peer = await start('lender', lender.home, ['--crypto', 'native']);
    const local = await start('owner', owner.home, ['--crypto', 'portable', '--connect', `127.0.0.1:${peer.port}`]);
    await local.waitFor(/session established with lender/);
    assert.equal(statusCrypto(owner.home), 'portable');
    const client = await MemCloud.connect({ home: owner.home });
    try {
      const values = [randomBytes(10), randomBytes(300_000), randomBytes(3 * 1024 * 1024)];
      for (const [i, v] of values.entries()) await client.set(`k${i}`, v, { replicas: 1, target: 'remote' });
      for (const [i, v] of values.entries()) assert.ok(Buffer.from(await client.get(`k${i}`)).equals(v), `value ${i} read back`);
      const lent = (JSON.parse(cli(lender.home, ['stats', '--json'])) as { lent: { usedBytes: number } }).lent.usedBytes;
      assert.ok(lent >= values.reduce((n, v) => n + v.length, 0), 'the native peer holds the values');
    } finally {
      await client.close();
    }
  });
});
