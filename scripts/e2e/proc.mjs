// Process helpers for the e2e harness: every child runs in its own process group (setsid) so the
// whole tree can be killed, and every wait is bounded.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** Keeps the last `max` characters of a stream, for error messages. */
export class Tail {
  #text = '';
  constructor(max = 8000) {
    this.max = max;
  }
  push(chunk) {
    this.#text = (this.#text + chunk.toString()).slice(-this.max);
  }
  toString() {
    return this.#text;
  }
}

function groupAlive(pgid) {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

/**
 * Kills a process group: SIGTERM, then SIGKILL after `graceMs`. Resolves once no process of the
 * group is left (or after the SIGKILL wait). Safe to call twice.
 */
export async function killGroup(pgid, graceMs = 3000) {
  if (!pgid || !groupAlive(pgid)) return;
  try {
    process.kill(-pgid, 'SIGTERM');
  } catch {}
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!groupAlive(pgid)) return;
    await sleep(50);
  }
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {}
  for (let i = 0; i < 40 && groupAlive(pgid); i++) await sleep(50);
}

/**
 * Runs a command to completion in its own process group; rejects with the output's tail when it
 * fails or exceeds `timeoutMs` (the group is killed then).
 * @returns {Promise<string>} the output tail
 */
export function run(cmd, args, { env = process.env, cwd, timeoutMs = 600_000, echo = false } = {}) {
  return new Promise((resolve, reject) => {
    const tail = new Tail(16000);
    const child = spawn(cmd, args, { env, cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const onData = (chunk) => {
      tail.push(chunk);
      if (echo) process.stdout.write(chunk);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      void killGroup(child.pid, 1000);
    }, timeoutMs);
    timer.unref();
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`${cmd}: ${err.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0 && !timedOut) return resolve(tail.toString());
      const why = timedOut ? `timed out after ${timeoutMs} ms` : `exited with ${code ?? signal}`;
      reject(new Error(`${cmd} ${args.join(' ')} ${why}\n--- output tail ---\n${tail}`));
    });
  });
}

/** A TCP port that was free on 127.0.0.1 a moment ago. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Rejects with `what` if `promise` has not settled within `ms`. */
export function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: timed out after ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function pidAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

function readFileSafe(file) {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/**
 * Runs `fn` holding a lock directory (so concurrent test files do not install into the same folder
 * twice). A lock left by a dead process is taken over; `onWait` is called once if we have to wait.
 */
export async function withDirLock(lock, fn, { timeoutMs = 20 * 60_000, onWait } = {}) {
  const deadline = Date.now() + timeoutMs;
  let announced = false;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      break;
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
      const owner = Number(readFileSafe(join(lock, 'pid')));
      if (owner && !pidAlive(owner)) {
        rmSync(lock, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`gave up waiting for ${lock}`);
      if (!announced) onWait?.();
      announced = true;
      await sleep(500);
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
