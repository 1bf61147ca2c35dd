// The native backend's X25519 key generation (engine/crypto/asym/native-asym.ts): correct key
// pairs, and no deadlock. On Node 20, generateKeyPairSync followed by an export of the key it made
// can hang the thread forever (the export holds the key's mutex while allocating; a GC then runs the
// unreferenced generation job's destructor, which takes the same mutex). It hung a handshake
// benchmark once in ~25,000 handshakes; V8's --gc-interval makes it likely within seconds: children
// run at eight intervals (with the old code about half of them hung, which ones varying by run).

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { x25519 } from '@noble/curves/ed25519.js';
import { nativeAsym } from '../../../../engine/crypto/asym/native-asym';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const FIXTURE = join(import.meta.dirname, 'fixtures', 'keygen-loop.ts');
/** A deadlocked child never ends on its own: it is killed after this and the test fails. */
const DEADLOCK_MS = 120_000;

function keygenChild(gcInterval: number, count: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; killed: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [`--gc-interval=${gcInterval}`, '--import', 'tsx', FIXTURE, String(count)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let killed = false;
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    const watchdog = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, DEADLOCK_MS);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      clearTimeout(watchdog);
      resolve({ code, signal, out, killed });
    });
  });
}

describe('native X25519 key generation', () => {
  test('a generated pair is a real X25519 pair: its public key is the secret times the base point, and DH agrees', () => {
    const a = nativeAsym.generateX25519();
    const b = nativeAsym.generateX25519();
    assert.equal(hex(a.publicKey), hex(x25519.getPublicKey(a.secretKey)));
    assert.equal(hex(b.publicKey), hex(x25519.getPublicKey(b.secretKey)));
    assert.notEqual(hex(a.secretKey), hex(b.secretKey));
    const ab = new Uint8Array(32);
    const ba = new Uint8Array(32);
    a.key.dh(b.publicKey, ab);
    b.key.dh(a.publicKey, ba);
    assert.equal(hex(ab), hex(ba));
    assert.equal(hex(ab), hex(x25519.getSharedSecret(a.secretKey, b.publicKey)));
    a.key.destroy();
    assert.ok(a.secretKey.every((x) => x === 0), 'destroy() zeroes the secret we generated');
    b.key.destroy();
  });

  test('20,000 key pairs under a GC every few allocations, at eight intervals: every child finishes', async () => {
    // With generateKeyPairSync about half of these children hung (which ones varies from run to run).
    for (const interval of [7, 13, 20, 23, 30, 37, 41, 47]) {
      const r = await keygenChild(interval, 20_000);
      assert.ok(!r.killed, `--gc-interval=${interval}: the key generation deadlocked (killed after ${DEADLOCK_MS / 1000} s)`);
      assert.equal(r.code, 0, `--gc-interval=${interval}: ${r.out}`);
      assert.match(r.out, /generated 20000/);
    }
  });
});
