// One node per home (engine/home/node-lock.ts), with real processes: a lock is honoured while the
// process that wrote it runs, and taken over when that process is gone, is a zombie, or its pid now
// belongs to a process started later (pid reuse after a crash or a reboot).

import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acquireNodeLock } from '../../../engine/home/node-lock';
import { processStartTime } from '../../../engine/home/process-identity';
import { isMemCloudError } from '../../../engine/errors';
import { eventually } from '../../support/eventually';

const root = mkdtempSync(join(tmpdir(), 'memcloud-lock-'));
const children: ChildProcess[] = [];
after(() => {
  for (const c of children) c.kill('SIGKILL');
  rmSync(root, { recursive: true, force: true });
});

let n = 0;
function homeWithLock(lock: object): string {
  const home = join(root, `home${n++}`);
  mkdirSync(home, { mode: 0o700 });
  writeFileSync(join(home, 'node.lock'), JSON.stringify(lock), { mode: 0o600 });
  return home;
}

function sleeper(): ChildProcess {
  const c = spawn('sleep', ['60'], { stdio: 'ignore' });
  children.push(c);
  return c;
}

const running = (e: unknown): boolean => isMemCloudError(e, 'NODE_ALREADY_RUNNING');

describe('node.lock', { skip: process.platform !== 'linux' && 'process start times and zombies are read from /proc' }, () => {
  test('the lock records our pid and start time; a live owner with that start time keeps the home', async () => {
    const home = join(root, 'own');
    mkdirSync(home, { mode: 0o700 });
    const lock = await acquireNodeLock(home);
    const written = JSON.parse(readFileSync(lock.path, 'utf8')) as { pid: number; processStart?: string };
    assert.equal(written.pid, process.pid);
    assert.equal(written.processStart, await processStartTime(process.pid));
    await lock.release();

    const other = sleeper();
    const busy = homeWithLock({ pid: other.pid, processStart: await processStartTime(other.pid!) });
    await assert.rejects(acquireNodeLock(busy), running);
    const legacy = homeWithLock({ pid: other.pid }); // a lock of an earlier version: the pid alone decides
    await assert.rejects(acquireNodeLock(legacy), running);
  });

  test('a pid now used by a process started later does not block the home', async () => {
    const other = sleeper();
    const start = await processStartTime(other.pid!);
    assert.ok(start !== undefined);
    const home = homeWithLock({ pid: other.pid, processStart: String(Number(start) - 1) });
    const lock = await acquireNodeLock(home);
    assert.equal((JSON.parse(readFileSync(lock.path, 'utf8')) as { pid: number }).pid, process.pid, 'taken over');
    await lock.release();
  });

  test('a zombie (killed, not yet reaped) does not block the home', async () => {
    // sh starts a short sleep in the background, prints its pid, then becomes `sleep 60`, which
    // never reaps it: the short sleep stays a zombie.
    const sh = spawn('sh', ['-c', 'sleep 0.1 & echo $!; exec sleep 60'], { stdio: ['ignore', 'pipe', 'ignore'] });
    children.push(sh);
    const zombie = await new Promise<number>((resolve) => sh.stdout!.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))));
    await eventually('the background sleep is a zombie', () => {
      try {
        const stat = readFileSync(`/proc/${zombie}/stat`, 'utf8');
        return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
      } catch {
        return false;
      }
    });
    const home = homeWithLock({ pid: zombie, processStart: await processStartTime(zombie) });
    const lock = await acquireNodeLock(home);
    await lock.release();
  });

  test('a lock whose process is gone is taken over', async () => {
    const gone = spawn('true');
    await new Promise((r) => gone.on('exit', r));
    const lock = await acquireNodeLock(homeWithLock({ pid: gone.pid }));
    await lock.release();
  });
});
