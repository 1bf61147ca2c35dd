// The CLI against real background nodes: lifecycle, data commands, files and folders, consent by
// id and interactively, and clear errors when no node runs.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, startNode, type RunningNode } from '../../support/node-process';

const root = mkdtempSync(join(tmpdir(), 'memcloud-cli-node-'));
const home = join(root, 'main');
const nodes: RunningNode[] = [];

function mc(args: string[], opts: { home?: string; input?: string } = {}): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [CLI, ...args, '--home', opts.home ?? home], { encoding: 'utf8', timeout: 60_000, input: opts.input ?? '' });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

before(() => {
  const r = mc(['node', 'start', '--name', 'main', '--host', '127.0.0.1', '--port', '0', '--no-discovery']);
  assert.equal(r.code, 0, r.err);
});
after(async () => {
  mc(['node', 'stop']);
  await Promise.all(nodes.map((n) => n.stop()));
  rmSync(root, { recursive: true, force: true });
});

describe('node lifecycle', () => {
  test('start runs in the background with a pid file and a 0600 log; a second start is refused', () => {
    const status = mc(['node', 'status']);
    assert.equal(status.code, 0, status.err);
    assert.match(status.out, /MemCloud node "main" running \(pid (\d+)\)/);
    const pid = Number(readFileSync(join(home, 'node.pid'), 'utf8'));
    assert.ok(status.out.includes(`pid ${pid}`));
    assert.equal(statSync(join(home, 'node.log')).mode & 0o777, 0o600);
    assert.equal(statSync(join(home, 'control.sock')).mode & 0o777, 0o600);
    const again = mc(['node', 'start', '--port', '0']);
    assert.equal(again.code, 1);
    assert.match(again.err, /already running/);
    assert.match(mc(['logs', '--lines', '5']).out, /listening on 127\.0\.0\.1:\d+/);
  });

  test('commands that need a node say how to start one when none runs', () => {
    const other = join(root, 'empty');
    for (const args of [['get', 'k'], ['peers', 'list'], ['stats'], ['push', '-']]) {
      const r = mc(args, { home: other });
      assert.equal(r.code, 1, args.join(' '));
      assert.match(r.err, /no MemCloud node is running for .*memcloud node start/);
    }
    const status = mc(['node', 'status'], { home: other });
    assert.equal(status.code, 3);
    assert.equal(mc(['node', 'stop'], { home: other }).code, 0);
  });
});

describe('data commands', () => {
  test('set/get/keys/del and store/load/free round trip', () => {
    assert.equal(mc(['set', 'user:1', 'alice']).code, 0);
    assert.equal(mc(['set', 'user:2', '-'], { input: 'bob from stdin' }).code, 0);
    assert.equal(mc(['set', 'other', 'x']).code, 0);
    assert.equal(mc(['get', 'user:2']).out, 'bob from stdin');
    assert.deepEqual(mc(['keys', 'user:*']).out.trim().split('\n'), ['user:1', 'user:2']);
    assert.equal(mc(['del', 'user:1']).code, 0);
    assert.equal(mc(['del', 'user:1']).code, 1);
    const missing = mc(['get', 'user:1']);
    assert.equal(missing.code, 1);
    assert.match(missing.err, /NOT_FOUND/);
    const id = mc(['store', 'a block']).out.trim();
    assert.match(id, /^[0-9a-f]{32}$/);
    assert.equal(mc(['load', id]).out, 'a block');
    assert.equal(mc(['free', id]).code, 0);
    assert.equal(mc(['load', id]).code, 1);
  });

  test('push and pull a file and a folder, byte-identical; a FIFO in the folder is named on stderr as not stored', () => {
    const file = join(root, 'blob.bin');
    const data = randomBytes(5 * 1024 * 1024 + 3);
    writeFileSync(file, data);
    const pushed = mc(['push', file]);
    assert.equal(pushed.err, '', 'nothing to warn about');
    const id = pushed.out.trim();
    mc(['pull', id, join(root, 'blob.back')]);
    assert.deepEqual(readFileSync(join(root, 'blob.back')), data);
    const toStdout = spawnSync(process.execPath, [CLI, 'pull', id, '--home', home], { maxBuffer: 64 * 1024 * 1024 });
    assert.equal(toStdout.status, 0);
    assert.deepEqual(toStdout.stdout, data);

    const dir = join(root, 'project');
    mkdirSync(join(dir, 'src'), { recursive: true });
    writeFileSync(join(dir, 'src', 'main.c'), 'int main(){}');
    writeFileSync(join(dir, 'data.bin'), data);
    symlinkSync('src/main.c', join(dir, 'main-link'));
    assert.equal(spawnSync('mkfifo', [join(dir, 'src', 'fifo-\u001b[31m-\u202e-red')]).status, 0);
    const folderPush = mc(['push', dir]);
    assert.equal(folderPush.code, 0, folderPush.err);
    assert.equal(folderPush.err, 'memcloud: warning: not stored (FIFOs, sockets and devices cannot be): "src/fifo-\\u001b[31m-\\u202E-red"\n');
    const folderId = folderPush.out.trim();
    const restored = join(root, 'project-restored');
    assert.equal(mc(['pull', folderId, restored]).code, 0);
    assert.equal(readFileSync(join(restored, 'src', 'main.c'), 'utf8'), 'int main(){}');
    assert.deepEqual(readFileSync(join(restored, 'data.bin')), data);
    assert.equal(readlinkSync(join(restored, 'main-link')), 'src/main.c', 'a link comes back as the same link');
    assert.deepEqual(readdirSync(join(restored, 'src')), ['main.c']);
    const again = mc(['pull', folderId, restored]);
    assert.equal(again.code, 2);
    assert.match(again.err, /already exists/);
    const piped = spawnSync(process.execPath, [CLI, 'push', '-', '--home', home], { input: data, encoding: 'utf8' });
    assert.equal(piped.status, 0, piped.stderr);
  });

  test('bad input gets a clear message and exit code 2', () => {
    const cases: Array<[string[], RegExp]> = [
      [['set', 'k'], /missing value/],
      [['flush'], /add --yes/],
      [['store', 'x', '--local', '--remote'], /--local and --remote exclude each other/],
      [['set', 'k', 'v', '--replicas', '0'], /--replicas must be an integer from 1 to 16/],
      [['peers', 'update', 'nobody'], /--allowed SIZE is required/],
      [['peers', 'update', 'nobody', '--allowed', 'lots'], /--allowed:/],
      [['keys', '[unclosed'], /BAD_ARGUMENT/],
      [['connect', 'not-an-address'], /is not HOST:PORT/],
    ];
    for (const [args, pattern] of cases) {
      const r = mc(args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
      assert.match(r.err, pattern, args.join(' '));
    }
  });
});

describe('output and errors', () => {
  test('pull ID - into a reader that goes away (| head) exits quietly with the SIGPIPE status', async () => {
    const file = join(root, 'pipe.bin');
    writeFileSync(file, randomBytes(8 * 1024 * 1024));
    const id = mc(['push', file]).out.trim();
    const child = spawn(process.execPath, [CLI, 'pull', id, '-', '--home', home], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c) => (err += c));
    // Like `head -c 10`: read a little, then close our end of the pipe.
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    assert.equal(err, '');
    assert.equal(code, 141);
  });

  test('del of a missing key says so on stderr, not stdout', () => {
    const r = mc(['del', 'never-set']);
    assert.equal(r.code, 1);
    assert.equal(r.out, '');
    assert.equal(r.err, 'memcloud: no key "never-set" [NOT_FOUND]\n');
  });

  test('trust remove --forget on a running node is reflected in trust list at once', () => {
    const other = JSON.parse(mc(['id', '--json'], { home: join(root, 'forgettable') }).out) as { publicKey: string };
    assert.equal(mc(['trust', 'add', other.publicKey, '--name', 'forgettable']).code, 0);
    const r = mc(['trust', 'remove', 'forgettable', '--forget']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^Forgot forgettable \(/);
    const list = JSON.parse(mc(['trust', 'list', '--json']).out) as Array<{ publicKey: string }>;
    assert.ok(!list.some((d) => d.publicKey === other.publicKey), 'gone from trust list right away');
    assert.ok(!readFileSync(join(home, 'trusted_devices.json'), 'utf8').includes(other.publicKey), 'and from the file');
  });
});

describe('consent from the CLI', () => {
  async function stranger(name: string): Promise<RunningNode> {
    const h = join(root, name);
    const mainKey = (JSON.parse(mc(['id', '--json']).out) as { publicKey: string }).publicKey;
    spawnSync(process.execPath, [CLI, 'trust', 'add', mainKey, '--name', 'main', '--home', h]);
    const port = (JSON.parse(mc(['node', 'status', '--json']).out) as { status: { listen: { port: number } } }).status.listen.port;
    const n = await startNode(name, h, ['--connect', `127.0.0.1:${port}`]);
    nodes.push(n);
    return n;
  }

  test('consent list / approve by id, and deny', async () => {
    const s1 = await stranger('visitor');
    let list: Array<{ id: string; name: string }> = [];
    for (let i = 0; i < 100 && list.length === 0; i++) {
      list = JSON.parse(mc(['consent', 'list', '--json']).out);
      if (list.length === 0) await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(list[0]?.name, 'visitor');
    assert.equal(mc(['consent', 'approve', list[0]!.id]).code, 0);
    await s1.waitFor(/session established with main/);
    assert.equal(mc(['consent', 'deny', 'nosuchid']).code, 1);
  });

  test('memcloud consent asks interactively and trusts always on "a"', async () => {
    const prompt = spawn(process.execPath, [CLI, 'consent', '--home', home], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    const asked = new Promise<void>((resolve) => prompt.stdout.on('data', (c) => ((out += c), out.includes('trust always (a)') && resolve())));
    await new Promise<void>((resolve) => prompt.stdout.once('data', () => resolve()));
    const s2 = await stranger('friend');
    await asked;
    assert.match(out, /Device [0-9A-Z]{4}(-[0-9A-Z]{4}){3} \[friend\] at 127\.0\.0\.1:\d+ wants to connect/, 'fingerprint first, the name in brackets');
    prompt.stdin.write('a\n');
    await s2.waitFor(/session established with main/);
    prompt.kill('SIGINT');
    const trusted = JSON.parse(mc(['trust', 'list', '--json']).out) as Array<{ name: string; approval: string }>;
    assert.equal(trusted.find((d) => d.name === 'friend')?.approval, 'consent-always');
    assert.ok(existsSync(join(home, 'trusted_devices.json')));
  });
});
