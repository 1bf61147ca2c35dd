// Faults under the build-cache endpoint, with owner and lender as real node processes: a frozen
// lender (SIGSTOP) turns reads into 404s at the read deadline instead of making the build wait, and
// a lender killed in the middle of an upload leaves no entry, and nothing stored, behind.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createCacheWorld, type CacheWorld } from '../../support/cache-world';
import { httpRequest } from '../../support/http-client';

let world: CacheWorld;
let port = 0;

before(async () => {
  world = await createCacheWorld({ buildCache: { enabled: false }, ownerArgs: ['--log-level', 'debug'] });
  port = Number(new URL(world.url).port);
});
after(async () => {
  world.lender.process.kill('SIGCONT');
  await world?.close();
});

const call = (method: string, path: string, body?: Buffer | AsyncIterable<Uint8Array>) =>
  httpRequest(port, method, path, { token: world.token, ...(body ? { body } : {}), ...(body && !Buffer.isBuffer(body) ? { headers: { 'content-length': String(48 * 1024 * 1024) } } : {}) });

async function waitUntil(what: string, probe: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('a frozen lender: reads answer 404 at the deadline, while the lender is still frozen; they hit again once it thaws', async () => {
  const body = randomBytes(50_000);
  assert.equal((await call('PUT', '/v1/cache/4242', body)).status, 200);
  assert.deepEqual((await call('GET', '/v1/cache/4242')).body, body);
  world.lender.process.kill('SIGSTOP');
  try {
    const during = await call('GET', '/v1/cache/4242');
    assert.equal(during.status, 404, 'a miss, never an error status Nx would fail on');
    await world.owner.waitFor(/build cache: nx\/4242 counted as a miss: .*within the deadline/);
    assert.equal(world.cacheStats().protocols.nx.fallbacks, 1);
  } finally {
    world.lender.process.kill('SIGCONT');
  }
  let again = await call('GET', '/v1/cache/4242');
  for (let i = 0; i < 50 && again.status !== 200; i++) again = await call('GET', '/v1/cache/4242');
  assert.equal(again.status, 200, 'a hit again once the lender answers');
  assert.deepEqual(again.body, body);
});

test('a lender killed mid-upload: the upload is refused, no entry is visible, and nothing of it stays stored', async () => {
  const entriesBefore = world.cacheStats().entries;
  const ownerUsedBefore = JSON.parse(world.mc(['stats', '--json']).out).local.usedBytes as number;
  const total = 48 * 1024 * 1024;
  let sent = 0;
  let killed = false;
  async function* upload(): AsyncGenerator<Buffer> {
    while (sent < total) {
      const piece = randomBytes(256 * 1024);
      sent += piece.length;
      yield piece;
      if (!killed && sent >= 16 * 1024 * 1024) {
        killed = true;
        world.lender.process.kill('SIGKILL');
        await new Promise<void>((r) => (world.lender.process.exitCode !== null || world.lender.process.signalCode !== null ? r() : world.lender.process.once('exit', () => r())));
      }
    }
  }
  const put = await call('PUT', '/ccache/dies/mid-upload', upload()).catch((err: Error) => ({ status: 0, error: err.message }));
  assert.ok(killed, 'the lender died while the body was being sent');
  assert.ok(put.status === 503 || put.status === 0, `the entry was not acknowledged (${JSON.stringify(put)})`);
  assert.equal((await call('GET', '/ccache/dies/mid-upload')).status, 404);
  assert.equal(world.cacheStats().entries, entriesBefore);
  await waitUntil('the owner to free what it kept of the upload', () => JSON.parse(world.mc(['stats', '--json']).out).local.usedBytes === ownerUsedBefore);
  // Writes go on without the lender (into this node's own RAM), and are served.
  const after = randomBytes(10_000);
  assert.equal((await call('PUT', '/ccache/after/the-lender', after)).status, 200);
  assert.deepEqual((await call('GET', '/ccache/after/the-lender')).body, after);
});
