// Proves the e2e harness (scripts/e2e) against the fixture extension in a real VS Code
// (code-server + headless Chromium): mocha inside the extension host, pass and fail; the workbench
// UI driven through the command palette; a packaged .vsix installed and activated.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { packageVsix, verifyVsix } from '../../scripts/e2e/install-vsix.mjs';
import { prepare } from '../../scripts/e2e/prepare.mjs';
import { openActivity, openWorkbench, runCommand, screenshot, waitForNotification, waitForTreeItem } from '../../scripts/e2e/workbench.mjs';
import { buildFixture, type BuiltFixture } from './build-fixture';

const ROOT = join(import.meta.dirname, '..', '..');
const RUNNER = join(ROOT, 'scripts', 'e2e', 'run-extension-tests.mjs');
const HELLO = 'Hello from the MemCloud e2e fixture';

interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the runner CLI with its own TMPDIR, so the test can see what it leaves behind. */
function runCli(args: readonly string[], tmp: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [RUNNER, ...args], {
      env: { ...process.env, TMPDIR: tmp },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Live processes whose command line mentions `needle` (code-server, extension host, Chromium). */
function processesMentioning(needle: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(needle)) pids.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}

function assertCleanedUp(tmp: string): void {
  assert.deepEqual(readdirSync(tmp), [], 'the harness removed its temp dirs');
  assert.deepEqual(processesMentioning(tmp), [], 'no harness process is left running');
}

describe('e2e harness (code-server 4.100.3 + headless Chromium)', () => {
  let work = '';
  let fixture: BuiltFixture;

  before(async () => {
    await prepare();
    work = mkdtempSync(join(tmpdir(), 'memcloud-harness-test-'));
    fixture = await buildFixture(join(work, 'fixture'));
  }, { timeout: 20 * 60_000 });

  after(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  function freshDir(name: string): string {
    const dir = join(work, name);
    mkdirSync(dir);
    return dir;
  }

  test('runs the fixture mocha suite inside the extension host and exits 0', async () => {
    const tmp = freshDir('tmp-pass');
    const workspace = freshDir('workspace-pass');
    const r = await runCli(
      [
        '--extension', fixture.extensionDir,
        '--tests', fixture.passTests,
        '--workspace', workspace,
        '--env', 'FIXTURE_MARK=from-harness',
        '--env', `FIXTURE_WORKSPACE=${workspace}`,
        '--timeout-ms', '120000',
      ],
      tmp,
    );
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /✔ activates and returns its API/);
    assert.match(r.stdout, /✔ environment variables given to the harness reach the extension host/);
    assert.match(r.stdout, /✔ worker threads run in the extension host/);
    assert.match(r.stdout, /5 passing/);
    assert.doesNotMatch(r.stdout, /failing/);
    assertCleanedUp(tmp);
  });

  test('a deliberately failing fixture test makes the run exit 1', async () => {
    const tmp = freshDir('tmp-fail');
    const workspace = freshDir('workspace-fail');
    const r = await runCli(
      [
        '--extension', fixture.extensionDir,
        '--tests', fixture.failTests,
        '--workspace', workspace,
        '--env', 'FIXTURE_MARK=from-harness',
        '--env', `FIXTURE_WORKSPACE=${workspace}`,
        '--timeout-ms', '120000',
      ],
      tmp,
    );
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /5 passing/);
    assert.match(r.stdout, /1 failing/);
    assert.match(r.stdout, /one plus one is three/);
    assertCleanedUp(tmp);
  });

  test('tests that never finish hit the overall timeout: exit 2, everything cleaned up', async () => {
    const tmp = freshDir('tmp-hang');
    const r = await runCli(['--extension', fixture.extensionDir, '--tests', fixture.hangTests, '--timeout-ms', '15000'], tmp);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stdout, /timed out after 15000 ms/);
    assertCleanedUp(tmp);
  });

  test('a tests path that does not exist is a harness error (exit 2) before anything starts', async () => {
    const tmp = freshDir('tmp-missing');
    const r = await runCli(['--extension', fixture.extensionDir, '--tests', join(work, 'nope.js')], tmp);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--tests does not exist/);
    assertCleanedUp(tmp);
  });

  test('drives the workbench: palette command, notification, tree view, PNG screenshot', async () => {
    const wb = await openWorkbench({ extensionDir: fixture.extensionDir });
    const shot = join(work, 'shots', 'workbench.png');
    try {
      await runCommand(wb.page, 'E2E Fixture: Say Hello');
      await waitForNotification(wb.page, HELLO);
      await openActivity(wb.page, 'E2E Fixture');
      await waitForTreeItem(wb.page, 'Alpha');
      // The command ran before the view opened; its item shows the provider kept the state.
      await waitForTreeItem(wb.page, 'Hello 1');
      await screenshot(wb.page, shot);
    } finally {
      await wb.close();
    }
    const png = readFileSync(shot);
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature');
    assert.equal(png.readUInt32BE(16), 1400, 'width');
    assert.equal(png.readUInt32BE(20), 900, 'height');
    assert.ok(png.length > 10_000, `a rendered workbench, not a blank image (${png.length} bytes)`);
    assert.equal(existsSync(wb.sandboxDir), false, 'sandbox removed on close');
    assert.deepEqual(processesMentioning(wb.sandboxDir), [], 'code-server and Chromium are gone');
  });

  test('packages the fixture as a .vsix, installs it into a fresh VS Code and it activates', async () => {
    const vsix = await packageVsix(fixture.extensionDir, join(work, 'fixture.vsix'));
    assert.ok(readFileSync(vsix).subarray(0, 2).equals(Buffer.from('PK')), 'a zip file');
    const result = await verifyVsix({ vsix, command: 'E2E Fixture: Say Hello', expectNotification: HELLO });
    assert.deepEqual(result, { id: 'memcloud-test.memcloud-e2e-fixture', version: '0.0.1' });
  });
});
