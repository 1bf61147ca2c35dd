// The portable backend from the shipped bundles: libsodium's WebAssembly is inside dist/libsodium.js,
// which the bundles require from beside themselves, so it starts with no network and reads no file
// outside dist/. Checked two ways on the real bundles: the crypto pool's task file sealing and
// generating keys in a process with no network namespace and Node's permission model allowing
// reads of dist/ (and piscina, external by design) only; and a real `memcloud node run --crypto
// portable` under strace, whose engine worker loads it; a native node loads it only once it seals a
// small block (crypto/place.ts), from the same file.

import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createCipheriv } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CLI, cli } from '../../support/node-process';

const ROOT = resolve(__dirname, '../../..');
const DIST = join(ROOT, 'dist');
const PISCINA = join(ROOT, 'node_modules', 'piscina');
const tmp = mkdtempSync(join(tmpdir(), 'memcloud-bundle-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

describe('the portable backend from the bundles', () => {
  test('dist/crypto-task.js runs libsodium with no network and reads of dist/ only', () => {
    const probe = join(tmp, 'probe.js');
    writeFileSync(
      probe,
      `globalThis.fetch = () => { throw new Error('network fetch attempted'); };
const task = require(${JSON.stringify(join(DIST, 'crypto-task.js'))}).default;
const key = new Uint8Array(32).fill(7);
(async () => {
  const out = [];
  for (const message of [
    { kind: 'asym', backend: 'portable', ops: [{ op: 'x25519-keypair' }] },
    { kind: 'seal', backend: 'portable', key, nonce: 5, records: [new Uint8Array(1000).fill(1)] },
  ]) {
    const moved = await task(message);
    const reply = moved[Object.getOwnPropertySymbols(moved).find((s) => String(s).includes('value'))];
    out.push(reply);
  }
  process.stdout.write(JSON.stringify(out, (k, v) => (v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v)));
})().catch((e) => { process.stderr.write(String(e && e.stack || e)); process.exit(1); });
`,
    );
    const r = spawnSync(
      'unshare',
      ['--net', process.execPath, '--experimental-permission', `--allow-fs-read=${DIST}/*`, `--allow-fs-read=${PISCINA}/*`, `--allow-fs-read=${probe}`, probe],
      { encoding: 'utf8', timeout: 60_000 },
    );
    assert.equal(r.status, 0, r.stderr);
    const [asym, seal] = JSON.parse(r.stdout) as [
      { ok: boolean; results: Array<{ secretKey: string; publicKey: string }> },
      { ok: boolean; records: string[] },
    ];
    assert.ok(asym.ok && seal.ok, r.stdout);
    assert.equal(asym.results[0]!.publicKey.length, 64);
    // The same record sealed by node:crypto here: identical bytes.
    const nonce = Buffer.alloc(12);
    nonce[4] = 5;
    const c = createCipheriv('chacha20-poly1305', Buffer.alloc(32, 7), nonce, { authTagLength: 16 });
    const expected = Buffer.concat([c.update(Buffer.alloc(1000, 1)), c.final(), c.getAuthTag()]).toString('hex');
    assert.equal(seal.records[0], expected);
    // And the permission model is really on: the same process may not read libsodium's own package.
    const denied = spawnSync(
      process.execPath,
      ['--experimental-permission', `--allow-fs-read=${DIST}/*`, '-e', `require(${JSON.stringify(join(ROOT, 'node_modules', 'libsodium-wrappers'))})`],
      { encoding: 'utf8', timeout: 60_000 },
    );
    assert.notEqual(denied.status, 0);
    assert.match(denied.stderr, /ERR_ACCESS_DENIED/);
  });

  /** Files a real node opened (every thread), from start to a clean stop. */
  async function filesOpenedBy(crypto: string, work: (home: string) => void = () => undefined, tag = ''): Promise<string[]> {
    const home = join(tmp, `home-${crypto}${tag}`);
    mkdirSync(home, { mode: 0o700 });
    const trace = join(tmp, `trace-${crypto}${tag}.txt`);
    const child = spawn(
      'strace',
      ['-f', '-qq', '-e', 'trace=openat,open', '-o', trace, process.execPath, CLI, 'node', 'run', '--home', home, '--crypto', crypto, '--host', '127.0.0.1', '--port', '0', '--no-discovery'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    await new Promise<void>((ready, fail) => {
      child.stdout.on('data', () => /ready: fingerprint/.test(output) && ready());
      child.once('exit', () => fail(new Error(`node exited: ${output}`)));
    });
    assert.equal((JSON.parse(cli(home, ['node', 'status', '--json'])) as { status: { crypto: string } }).status.crypto, crypto);
    work(home);
    cli(home, ['node', 'stop']);
    await exited;
    return [...new Set([...readFileSync(trace, 'utf8').matchAll(/open(?:at)?\([^"]*"([^"]+)"[^)]*\)\s*=\s*\d+/g)].map((m) => m[1]!))];
  }

  test('a portable node loads libsodium from dist/libsodium.js only, opening no .wasm and nothing outside dist/', async () => {
    const opened = await filesOpenedBy('portable');
    assert.ok(opened.some((p) => p === join(DIST, 'engine-worker.js')), 'the trace covers the engine worker');
    assert.deepEqual(opened.filter((p) => /sodium|\.wasm$/i.test(p)), [join(DIST, 'libsodium.js')]);
    const project = opened.filter((p) => p.startsWith(`${ROOT}/`) && statSync(p, { throwIfNoEntry: false })?.isFile());
    assert.deepEqual(project.filter((p) => !p.startsWith(`${DIST}/`) && !p.startsWith(`${PISCINA}/`) && p !== join(ROOT, 'package.json')), []);
  });

  test('a native node that seals nothing never loads libsodium', async () => {
    const opened = await filesOpenedBy('native');
    assert.ok(opened.some((p) => p === join(DIST, 'engine-worker.js')));
    assert.deepEqual(opened.filter((p) => /sodium/i.test(p)), []);
  });

  // crypto/place.ts: a native owner seals blocks of up to 1.5 KiB with libsodium (the same bytes,
  // fewer microseconds), loading it from dist/libsodium.js on its first small block.
  test('a native node loads libsodium from dist/libsodium.js on its first small block, and reads its values back', async () => {
    let got = '';
    const opened = await filesOpenedBy(
      'native',
      (home) => {
        cli(home, ['set', 'small', 'a small value']);
        cli(home, ['set', 'large', 'x'.repeat(4096)]);
        got = cli(home, ['get', 'small']) + cli(home, ['get', 'large']).length;
      },
      '-sets',
    );
    assert.equal(got, 'a small value4096');
    assert.deepEqual(opened.filter((p) => /sodium|\.wasm$/i.test(p)), [join(DIST, 'libsodium.js')]);
  });
});
