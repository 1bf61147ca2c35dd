// Packages the extension as a .vsix the way `npm run package` does (same vsce flags, same
// .vscodeignore; from a staged copy, so dist/ is not rebuilt under other running tests), checks
// what it ships (piscina included: it is external in the bundles), installs it into a fresh
// VS Code and sees it activate: its views fill with rows from the node it starts.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { verifyVsix } from '../../../scripts/e2e/install-vsix.mjs';
import { prepare } from '../../../scripts/e2e/prepare.mjs';
import { cli } from '../../support/node-process';
import { ROOT, ensureBuilt } from './setup';

const SHIPPED = [
  'extension/package.json',
  'extension/readme.md',
  'extension/media/icon.png',
  'extension/media/memcloud.svg',
  'extension/dist/extension.js',
  'extension/dist/engine-worker.js',
  'extension/dist/crypto-task.js',
  'extension/dist/libsodium.js',
  'extension/node_modules/piscina/package.json',
  'extension/node_modules/piscina/dist/index.js',
  'extension/node_modules/piscina/dist/worker.js',
];
const NOT_SHIPPED = ['.map', 'extension/engine/', 'extension/test/', 'node_modules/@noble', 'node_modules/libsodium', 'node_modules/multicast-dns', 'dist/cli.js', 'dist/demo.js'];

/** The arguments of the "package" script, minus the prepublish build (dist/ is already built). */
function packageArgs(): string[] {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const script = manifest.scripts.package!;
  assert.match(script, /^vsce package /);
  return script.split(' ').slice(1);
}

/** A copy of what packaging reads: manifest, docs, media, dist/ and (linked) node_modules. */
function stage(dir: string): void {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  delete manifest.scripts['vscode:prepublish'];
  writeFileSync(join(dir, 'package.json'), JSON.stringify(manifest, null, 2));
  for (const f of ['README.md', '.vscodeignore', 'package-lock.json']) copyFileSync(join(ROOT, f), join(dir, f));
  for (const d of ['docs', 'media', 'dist']) cpSync(join(ROOT, d), join(dir, d), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
}

describe('MemCloud .vsix: packaged, installed into VS Code, activates', () => {
  let work = '';

  before(async () => {
    await prepare();
    await ensureBuilt();
    work = mkdtempSync('/tmp/mc-vsix-');
  }, { timeout: 20 * 60_000 });

  after(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  test('the .vsix ships the bundles, icons and piscina, installs and activates', { timeout: 240_000 }, async () => {
    const staged = join(work, 'staged');
    mkdirSync(staged);
    stage(staged);
    const vsce = join(ROOT, 'node_modules', '@vscode', 'vsce', 'vsce');
    const vsix = join(work, 'memcloud.vsix');
    execFileSync(process.execPath, [vsce, ...packageArgs(), '--out', vsix], { cwd: staged, stdio: 'pipe', timeout: 120_000 });
    // A zip's central directory holds the names uncompressed.
    const bytes = readFileSync(vsix);
    assert.ok(bytes.subarray(0, 2).equals(Buffer.from('PK')), 'a zip file');
    const text = bytes.toString('latin1');
    for (const name of SHIPPED) assert.ok(text.includes(name), `ships ${name}`);
    for (const name of NOT_SHIPPED) assert.ok(!text.includes(name), `does not ship ${name}`);

    // A home whose node trusts one device: once activated, both trees show it (rows, not welcome text).
    const home = join(work, 'home');
    cli(home, ['id']);
    writeFileSync(join(home, 'config.json'), JSON.stringify({ name: 'vsix-test', host: '127.0.0.1', port: 0, discovery: false }));
    const other = join(work, 'other');
    const otherKey = (JSON.parse(cli(other, ['id', '--json'])) as { publicKey: string }).publicKey;
    cli(home, ['trust', 'add', otherKey, '--name', 'desk']);

    const shot = join(ROOT, '.e2e-cache', 'screenshots', 'memcloud-vsix.png');
    const result = await verifyVsix({
      vsix,
      env: { MEMCLOUD_HOME: home },
      command: 'MemCloud: Restore...',
      expectNotification: 'This machine has nothing offloaded yet',
      screenshotFile: shot,
      timeoutMs: 90_000,
    });
    assert.deepEqual(result, { id: 'memcloud.memcloud', version: JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version });
    assert.ok(readFileSync(shot).length > 20_000, 'a rendered workbench');
  });
});
