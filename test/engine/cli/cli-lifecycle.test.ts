// node start / stop / logs with real background node processes: start reports the new node's own
// error, stop never signals a process a stale pid file names, logs works with the node stopped or
// crashed.

import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { processExists, processStartTime } from '../../../engine/home/process-identity';
import { nodeAccepts, nodeProcessFlags } from '../../../engine/runtime/node-flags';
import { CLI } from '../../support/node-process';

const root = mkdtempSync(join(tmpdir(), 'memcloud-cli-life-'));
const homes: string[] = [];
const strangers: ChildProcess[] = [];
after(() => {
  for (const h of homes) mc(h, ['node', 'stop']);
  for (const p of strangers) p.kill('SIGKILL');
  rmSync(root, { recursive: true, force: true });
});
let n = 0;
function freshHome(): string {
  const h = join(root, `home-${n++}`);
  homes.push(h);
  return h;
}

function mc(home: string, args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [CLI, ...args, '--home', home], { encoding: 'utf8', timeout: 90_000 });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

const LOCAL = ['--host', '127.0.0.1', '--no-discovery'];

function startedPid(out: string): number {
  const m = /running \(pid (\d+)\)/.exec(out);
  assert.ok(m, out);
  return Number(m[1]);
}

/** A process that has nothing to do with MemCloud, as a reused pid would be. */
function stranger(): ChildProcess {
  const p = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  strangers.push(p);
  return p;
}

describe('node start', () => {
  test("starts the node process with the node's flags, before the script (V8's helper threads, Buffers freed at once)", () => {
    const home = freshHome();
    const nodePid = startedPid(mc(home, ['node', 'start', '--port', '0', ...LOCAL]).out);
    try {
      const argv = readFileSync(`/proc/${nodePid}/cmdline`, 'utf8').split('\0');
      const script = argv.findIndex((a) => a.endsWith('cli.js'));
      assert.ok(script > 0, argv.join(' '));
      const helpers = Math.max(1, Math.min(4, availableParallelism() - 1));
      assert.deepEqual(argv.slice(1, script), [`--v8-pool-size=${helpers}`, '--no-concurrent-array-buffer-sweeping'], argv.join(' '));
      assert.deepEqual(argv.slice(script + 1, script + 3), ['node', 'run']);
    } finally {
      assert.equal(mc(home, ['node', 'stop']).code, 0);
    }
  });

  test("V8's helper threads: one per core the process does not keep busy, at least 1, at most V8's 4", () => {
    assert.deepEqual([1, 2, 3, 4, 5, 8, 64].map((c) => nodeProcessFlags(c)[0]), [
      '--v8-pool-size=1', '--v8-pool-size=1', '--v8-pool-size=2', '--v8-pool-size=3', '--v8-pool-size=4', '--v8-pool-size=4', '--v8-pool-size=4',
    ]);
  });

  test('a V8 flag this Node.js does not know is left out, never passed to a node that would refuse to start', () => {
    assert.equal(nodeAccepts('--no-concurrent-array-buffer-sweeping'), true, 'this Node.js has it');
    assert.equal(nodeAccepts('--no-such-memcloud-flag'), false);
    assert.deepEqual(nodeProcessFlags(2, () => false), ['--v8-pool-size=1']);
    assert.deepEqual(nodeProcessFlags(2, () => true), ['--v8-pool-size=1', '--no-concurrent-array-buffer-sweeping']);
  });

  test("reports the new node's own startup error, never an older run's log lines", async () => {
    const home = freshHome();
    assert.equal(mc(home, ['id']).code, 0);
    writeFileSync(join(home, 'node.log'), 'MemCloud node "old" ready: from an earlier run\nFATAL an old failure [INTERNAL]\n', { mode: 0o600 });
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    try {
      const port = (taken.address() as AddressInfo).port;
      const r = mc(home, ['node', 'start', '--port', String(port), ...LOCAL]);
      assert.equal(r.code, 2, r.err);
      assert.match(r.err, new RegExp(`^memcloud: the node could not start: cannot listen on 127\\.0\\.0\\.1:${port}: port ${port} is already in use`));
      assert.doesNotMatch(r.err, /earlier run|old failure|INTERNAL/);
      assert.equal(mc(home, ['node', 'status']).code, 3, 'no node left running');
    } finally {
      taken.close();
    }
  });

  test('a memory cap below the offer is accepted with a warning on stderr', () => {
    const home = freshHome();
    const r = mc(home, ['node', 'start', '--port', '0', '--offer', '8mb', '--memory', '4mb', ...LOCAL]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /^memcloud: warning: the memory cap \(4 MiB\) is below the offer \(8 MiB\)/);
    assert.match(r.out, /offering {5}8 MiB to peers/);
    assert.match(mc(home, ['logs']).out, /WARN  the memory cap is below the offer/);
    assert.equal(mc(home, ['node', 'stop']).code, 0);
  });
});

describe('node stop', () => {
  test('a stale pid file naming a live unrelated process never gets it signalled', async () => {
    const home = freshHome();
    const started = mc(home, ['node', 'start', '--port', '0', ...LOCAL]);
    assert.equal(started.code, 0, started.err);
    const nodePid = startedPid(started.out);
    const other = stranger();
    writeFileSync(join(home, 'node.pid'), `${other.pid}\n`);
    const r = mc(home, ['node', 'stop']);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, `stopped node "${/MemCloud node "([^"]+)"/.exec(started.out)![1]}" (pid ${nodePid})\n`);
    assert.equal(other.exitCode, null);
    assert.equal(other.signalCode, null);
    assert.ok(processExists(other.pid!), 'the unrelated process is alive');
    assert.equal(mc(home, ['node', 'status']).code, 3, 'the node itself stopped');
  });

  test('with a matching pid file, stop returns once the node process has exited', () => {
    const home = freshHome();
    const started = mc(home, ['node', 'start', '--port', '0', ...LOCAL]);
    const nodePid = startedPid(started.out);
    assert.equal(Number(readFileSync(join(home, 'node.pid'), 'utf8')), nodePid);
    assert.equal(mc(home, ['node', 'stop']).code, 0);
    assert.equal(processExists(nodePid), false);
  });

  test('process start times tell a process from another with a different pid, and from none', async () => {
    const mine = await processStartTime(process.pid);
    assert.match(mine ?? '', /^\d+$/);
    assert.equal(await processStartTime(process.pid), mine);
    const other = stranger();
    await new Promise((resolve) => other.once('spawn', resolve));
    const theirs = await processStartTime(other.pid!);
    assert.ok(theirs !== undefined);
    other.kill('SIGKILL');
    await new Promise((resolve) => other.once('exit', resolve));
    assert.equal(await processStartTime(other.pid!), undefined);
  });
});

describe('logs', () => {
  test('works when the node is stopped, and when it crashed', () => {
    const home = freshHome();
    assert.equal(mc(home, ['node', 'start', '--port', '0', ...LOCAL]).code, 0);
    assert.equal(mc(home, ['node', 'stop']).code, 0);
    const stopped = mc(home, ['logs', '--lines', '3']);
    assert.equal(stopped.code, 0, stopped.err);
    assert.match(stopped.out, /INFO {2}node stopped\n$/);
    assert.equal(stopped.out.trimEnd().split('\n').length, 3);
    assert.match(stopped.err, /no node is running for .*; showing .*node\.log/);

    const again = mc(home, ['node', 'start', '--port', '0', ...LOCAL]);
    process.kill(startedPid(again.out), 'SIGKILL');
    const crashed = mc(home, ['logs', '--lines', '20']);
    assert.equal(crashed.code, 0, crashed.err);
    assert.match(crashed.out, /MemCloud node "[^"]+" ready: fingerprint/);
  });

  test('--follow with no node running follows the log file, across a rotation, until Ctrl-C', async () => {
    const home = freshHome();
    assert.equal(mc(home, ['id']).code, 0);
    const log = join(home, 'node.log');
    writeFileSync(log, 'an old line\n', { mode: 0o600 });
    const child = spawn(process.execPath, [CLI, 'logs', '--follow', '--home', home], { stdio: ['ignore', 'pipe', 'pipe'] });
    strangers.push(child);
    let out = '';
    const seen = (text: string) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ${JSON.stringify(text)} within 60 s; printed: ${out}`)), 60_000);
        const check = () => out.includes(text) && (clearTimeout(timer), child.stdout.off('data', onData), resolve());
        const onData = (c: Buffer) => ((out += c), check());
        child.stdout.on('data', onData);
        child.once('exit', () => reject(new Error(`logs exited before printing ${text}: ${out}`)));
        check();
      });
    await seen('an old line\n');
    appendFileSync(log, 'a new line\n');
    await seen('a new line\n');
    renameSync(log, `${log}.1`); // what the node's log does at 5 MiB
    writeFileSync(log, 'after rotation, a first line longer than the whole old file\n');
    await seen('after rotation, a first line longer than the whole old file\n');
    const code = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGINT');
    assert.equal(await code, 0);
  });

  test('with neither a node nor a log it says so (exit 1)', () => {
    const r = mc(freshHome(), ['logs']);
    assert.equal(r.code, 1);
    assert.match(r.err, /no node is running for .* and none left a log there/);
  });
});
